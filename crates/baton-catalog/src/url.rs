//! URL rules (spec: ecosystem.md §6.1), on URLs split the way Python's
//! `urllib.parse.urlparse` splits them (not the WHATWG way: `127.1` stays `127.1`,
//! `%61` in a host stays encoded), so a URL is accepted or refused exactly as the
//! reference decides.
//!
//! There are two rule sets and both are kept:
//! * [`check_catalog_source_url`] — rule (a), for catalog sources (config files, the
//!   env override, `catalog add`, every hop of a catalog fetch): `https`, or `http`
//!   only for the literal hosts `localhost`, `127.0.0.1`, `::1`;
//! * [`is_https_or_loopback_http`] — rule (b), for downloads: `https`, or `http` to
//!   `localhost` or any canonical loopback IP literal (all of 127/8, `::1`, mapped);
//! * [`is_safe_download_redirect`] — rule (c), checked for every redirect hop.
//!
//! Step catalogs use the same functions (their messages differ only in the wording the
//! caller adds).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// A URL split as `urllib.parse.urlsplit` splits it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitUrl {
    /// Lowercased scheme (`""` when there is none).
    pub scheme: String,
    /// The authority (`user@host:port`), as written.
    pub netloc: String,
    /// The path.
    pub path: String,
    /// The query, without `?`.
    pub query: String,
    /// The fragment, without `#`.
    pub fragment: String,
}

/// Why [`split`] (or reading the host/port) failed: Python raises `ValueError`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct MalformedUrl(pub String);

const SCHEME_CHARS: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.";

/// Splits `url` as Python 3.11's `urlsplit` does, including its `ValueError`s for
/// unbalanced or invalid bracketed hosts.
///
/// # Errors
/// [`MalformedUrl`] where Python raises `ValueError`.
pub fn split(url: &str) -> Result<SplitUrl, MalformedUrl> {
    let url = url.trim_start_matches(|c: char| c <= ' ');
    let url: String = url.chars().filter(|c| !matches!(c, '\t' | '\r' | '\n')).collect();
    let mut rest = url.as_str();
    let mut scheme = String::new();
    if let Some(i) = rest.find(':') {
        let candidate = &rest[..i];
        if i > 0
            && candidate.starts_with(|c: char| c.is_ascii_alphabetic())
            && candidate.chars().all(|c| SCHEME_CHARS.contains(c))
        {
            scheme = candidate.to_ascii_lowercase();
            rest = &rest[i + 1..];
        }
    }
    let mut netloc = String::new();
    if let Some(after) = rest.strip_prefix("//") {
        let end = after.find(['/', '?', '#']).unwrap_or(after.len());
        netloc = after[..end].to_owned();
        rest = &after[end..];
        let open = netloc.contains('[');
        let close = netloc.contains(']');
        if open != close {
            return Err(MalformedUrl("Invalid IPv6 URL".into()));
        }
        if open {
            check_bracketed_netloc(&netloc)?;
        }
    }
    let (rest, fragment) = match rest.split_once('#') {
        Some((a, b)) => (a, b.to_owned()),
        None => (rest, String::new()),
    };
    let (path, query) = match rest.split_once('?') {
        Some((a, b)) => (a.to_owned(), b.to_owned()),
        None => (rest.to_owned(), String::new()),
    };
    Ok(SplitUrl { scheme, netloc, path, query, fragment })
}

fn check_bracketed_netloc(netloc: &str) -> Result<(), MalformedUrl> {
    let hostport = netloc.rsplit_once('@').map_or(netloc, |(_, h)| h);
    let host = match hostport.split_once('[') {
        Some((before, bracketed)) => {
            if !before.is_empty() {
                return Err(MalformedUrl("Invalid IPv6 URL".into()));
            }
            let (host, port) = bracketed.split_once(']').unwrap_or((bracketed, ""));
            if !port.is_empty() && !port.starts_with(':') {
                return Err(MalformedUrl("Invalid IPv6 URL".into()));
            }
            host
        }
        None => hostport.split_once(':').map_or(hostport, |(h, _)| h),
    };
    if let Some(rest) = host.strip_prefix('v') {
        // `\Av[a-fA-F0-9]+\..+\Z`
        let ok = rest.split_once('.').is_some_and(|(hex, tail)| {
            !hex.is_empty() && hex.chars().all(|c| c.is_ascii_hexdigit()) && !tail.is_empty() && !tail.contains('\n')
        });
        return if ok { Ok(()) } else { Err(MalformedUrl(format!("IPvFuture address is invalid: {host}"))) };
    }
    let address = host.split_once('%').map_or(host, |(a, _)| a);
    let scope_ok = host.split_once('%').is_none_or(|(_, zone)| !zone.is_empty() && !zone.contains('/'));
    if address.parse::<Ipv6Addr>().is_ok() && scope_ok {
        Ok(())
    } else {
        Err(MalformedUrl(format!("'{host}' does not appear to be an IPv4 or IPv6 address")))
    }
}

impl SplitUrl {
    fn hostinfo(&self) -> (&str, Option<&str>) {
        let hostinfo = self.netloc.rsplit_once('@').map_or(self.netloc.as_str(), |(_, h)| h);
        let (host, port) = match hostinfo.split_once('[') {
            Some((_, bracketed)) => {
                let (host, after) = bracketed.split_once(']').unwrap_or((bracketed, ""));
                (host, after.split_once(':').map_or("", |(_, p)| p))
            }
            None => hostinfo.split_once(':').unwrap_or((hostinfo, "")),
        };
        (host, if port.is_empty() { None } else { Some(port) })
    }

    /// `urlparse(url).hostname`: lowercased (not the IPv6 zone), brackets removed,
    /// `None` when empty.
    pub fn hostname(&self) -> Option<String> {
        let (host, _) = self.hostinfo();
        if host.is_empty() {
            return None;
        }
        Some(match host.split_once('%') {
            Some((addr, zone)) => format!("{}%{zone}", addr.to_lowercase()),
            None => host.to_lowercase(),
        })
    }

    /// `urlparse(url).port`, with Python's `ValueError` for a non-numeric or
    /// out-of-range port.
    ///
    /// # Errors
    /// [`MalformedUrl`] for a port Python refuses.
    pub fn port(&self) -> Result<Option<u16>, MalformedUrl> {
        match self.hostinfo().1 {
            None => Ok(None),
            Some(port) if !port.is_empty() && port.chars().all(|c| c.is_ascii_digit()) => {
                let value = port.trim_start_matches('0');
                if value.len() > 5 {
                    return Err(MalformedUrl("Port out of range 0-65535".into()));
                }
                let n: u32 = if value.is_empty() { 0 } else { value.parse().unwrap_or(u32::MAX) };
                u16::try_from(n).map(Some).map_err(|_| MalformedUrl("Port out of range 0-65535".into()))
            }
            Some(port) => Err(MalformedUrl(format!(
                "Port could not be cast to integer value as {}",
                baton_expr::py::str_repr(port)
            ))),
        }
    }

    /// Whether the authority carries a user name or password.
    pub fn has_userinfo(&self) -> bool {
        self.netloc.contains('@')
    }
}

/// Why a catalog source URL is refused (rule (a)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CatalogUrlProblem {
    /// The URL cannot be split or has a bad port.
    Malformed,
    /// Not `https`, nor `http` to a literal localhost; carries the scheme.
    Scheme(String),
    /// No host.
    NoHost,
}

impl CatalogUrlProblem {
    /// The message of a refused catalog source in the config/`catalog add` path.
    pub fn config_message(&self, url: &str) -> String {
        match self {
            CatalogUrlProblem::Malformed => format!("Catalog URL is malformed: {url}"),
            CatalogUrlProblem::Scheme(scheme) => {
                format!("Catalog URL must use HTTPS (got {scheme}://). HTTP is only allowed for localhost.")
            }
            CatalogUrlProblem::NoHost => "Catalog URL must be a valid URL with a host.".to_owned(),
        }
    }

    /// The message of a refused catalog fetch (also for each redirect hop).
    pub fn fetch_message(&self, url: &str) -> String {
        match self {
            CatalogUrlProblem::Malformed => format!("Refusing to fetch catalog from malformed URL: {url}"),
            CatalogUrlProblem::Scheme(_) => format!("Refusing to fetch catalog from non-HTTPS URL: {url}"),
            CatalogUrlProblem::NoHost => format!("Refusing to fetch catalog from URL with no hostname: {url}"),
        }
    }
}

/// Rule (a): a catalog source URL must be `https`, or `http` to exactly `localhost`,
/// `127.0.0.1` or `::1` (compared on the lowercased, unbracketed host), with a host.
///
/// # Errors
/// The [`CatalogUrlProblem`], in the reference's order (malformed, scheme, host).
pub fn check_catalog_source_url(url: &str) -> Result<(), CatalogUrlProblem> {
    let split = split(url).map_err(|_| CatalogUrlProblem::Malformed)?;
    let host = split.hostname();
    split.port().map_err(|_| CatalogUrlProblem::Malformed)?;
    let is_localhost = matches!(host.as_deref(), Some("localhost" | "127.0.0.1" | "::1"));
    if split.scheme != "https" && !(split.scheme == "http" && is_localhost) {
        return Err(CatalogUrlProblem::Scheme(split.scheme));
    }
    if host.is_none() {
        return Err(CatalogUrlProblem::NoHost);
    }
    Ok(())
}

/// The split URL and its host, when the URL passes the download rule's structural
/// checks: it splits, has a host and a valid port, a `%` in the host only as an RFC
/// 6874 zone of an IPv6 literal, and an IDNA-encodable host.
fn parse_download_url(url: &str) -> Option<(SplitUrl, String)> {
    let split = split(url).ok()?;
    let host = split.hostname()?;
    split.port().ok()?;
    if host.contains('%') {
        ip_without_scope(&host)?;
    } else if !host.contains(':') && idna_encode(&host).is_none() {
        return None;
    }
    Some((split, host))
}

/// Python's `str.encode("idna")` of a host name (lowercased ASCII result), `None`
/// when Python raises `UnicodeError`.
fn idna_encode(host: &str) -> Option<String> {
    if host.is_empty() {
        return Some(String::new());
    }
    if host.is_ascii() {
        let labels: Vec<&str> = host.split('.').collect();
        let (last, init) = labels.split_last()?;
        if init.iter().any(|l| l.is_empty() || l.len() >= 64) || last.len() >= 64 {
            return None;
        }
        return Some(host.to_owned());
    }
    let ascii = idna::domain_to_ascii(host).ok()?;
    let trimmed = ascii.strip_suffix('.').unwrap_or(&ascii);
    if trimmed.split('.').any(|l| l.is_empty() || l.len() >= 64) {
        return None;
    }
    Some(ascii)
}

/// Python's `ipaddress.ip_address` of a canonical literal, with an optional
/// `%25<zone>` accepted only on IPv6.
fn ip_without_scope(host: &str) -> Option<IpAddr> {
    let address_text = if host.contains('%') {
        let (address, zone) = host.split_once("%25")?;
        if !address.contains(':') || address.contains('%') || zone.contains('%') || zone.is_empty() {
            return None;
        }
        if !zone.chars().all(|c| c.is_ascii_alphanumeric() || "._~-".contains(c)) {
            return None;
        }
        address
    } else {
        host
    };
    let address = parse_ip(address_text)?;
    if host.contains('%') && !address.is_ipv6() {
        return None;
    }
    Some(address)
}

/// `ipaddress.ip_address`: dotted-quad IPv4 without leading zeros, or IPv6.
fn parse_ip(text: &str) -> Option<IpAddr> {
    if text.contains(':') {
        return text.parse::<Ipv6Addr>().ok().map(IpAddr::V6);
    }
    let parts: Vec<&str> = text.split('.').collect();
    if parts.len() != 4 {
        return None;
    }
    let mut octets = [0u8; 4];
    for (slot, part) in octets.iter_mut().zip(&parts) {
        if part.is_empty() || part.len() > 3 || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        if part.len() > 1 && part.starts_with('0') {
            return None;
        }
        *slot = part.parse().ok()?;
    }
    Some(IpAddr::V4(Ipv4Addr::from(octets)))
}

fn is_loopback_ip(address: IpAddr) -> bool {
    match address {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|m| m.is_loopback()),
    }
}

fn is_local_redirect_ip(address: IpAddr) -> bool {
    is_loopback_ip(address)
        || match address {
            IpAddr::V4(v4) => v4.is_unspecified(),
            IpAddr::V6(v6) => v6.is_unspecified() || v6.to_ipv4_mapped().is_some_and(|m| m.is_unspecified()),
        }
}

/// glibc's `inet_aton`: the legacy numeric IPv4 spellings (`127.1`, `0x7f.1`,
/// `2130706433`, `0177.0.0.1`).
fn inet_aton(text: &str) -> Option<Ipv4Addr> {
    let parts: Vec<&str> = text.split('.').collect();
    if parts.is_empty() || parts.len() > 4 {
        return None;
    }
    let mut values = Vec::with_capacity(parts.len());
    for part in &parts {
        let (digits, radix) = if let Some(hex) = part.strip_prefix("0x").or_else(|| part.strip_prefix("0X")) {
            (hex, 16)
        } else if part.len() > 1 && part.starts_with('0') {
            (&part[1..], 8)
        } else {
            (*part, 10)
        };
        if part.is_empty() || (radix != 16 && digits.is_empty()) {
            return None;
        }
        let value = if digits.is_empty() { 0 } else { u64::from_str_radix(digits, radix).ok()? };
        if value > u64::from(u32::MAX) {
            return None;
        }
        values.push(value);
    }
    let (last, init) = values.split_last()?;
    let last_bits = 32 - 8 * init.len() as u32;
    if init.iter().any(|v| *v > 255) || *last >= (1u64 << last_bits) {
        return None;
    }
    let mut result: u64 = 0;
    for (i, v) in init.iter().enumerate() {
        result |= v << (24 - 8 * i as u32);
    }
    result |= last;
    u32::try_from(result).ok().map(Ipv4Addr::from)
}

fn is_definite_loopback_host(host: &str) -> bool {
    host.is_ascii() && (host == "localhost" || ip_without_scope(host).is_some_and(is_loopback_ip))
}

fn is_potential_local_target_host(host: &str) -> bool {
    if host.contains(':') {
        return ip_without_scope(host).is_some_and(is_local_redirect_ip);
    }
    let Some(encoded) = idna_encode(host) else { return false };
    let lower = encoded.to_ascii_lowercase();
    let host = lower.strip_suffix('.').unwrap_or(&lower);
    if host == "localhost" || host.ends_with(".localhost") {
        return true;
    }
    match ip_without_scope(host) {
        Some(address) => is_local_redirect_ip(address),
        None => inet_aton(host).is_some_and(|v4| is_local_redirect_ip(IpAddr::V4(v4))),
    }
}

/// Whether `url` has an unambiguous loopback host (`localhost`, 127/8, `::1`, mapped).
pub fn is_loopback_url(url: &str) -> bool {
    parse_download_url(url).is_some_and(|(_, host)| is_definite_loopback_host(&host))
}

/// Rule (b): `https` with a host, or `http` to `localhost` or a canonical loopback IP
/// literal. No DNS lookup is done.
pub fn is_https_or_loopback_http(url: &str) -> bool {
    match parse_download_url(url) {
        None => false,
        Some((split, host)) => {
            split.scheme == "https" || (split.scheme == "http" && is_definite_loopback_host(&host))
        }
    }
}

/// Why a download URL is refused, in the order the `add` command reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DownloadUrlProblem {
    /// A malformed port or authority: `Invalid URL: <url>`.
    Malformed,
    /// Fails rule (b): `Only HTTPS URLs are allowed, except HTTP for localhost.`
    NotAllowed,
}

/// Rule (b) with the two outcomes the `add <URL>` path distinguishes.
///
/// # Errors
/// [`DownloadUrlProblem`].
pub fn check_download_url(url: &str) -> Result<(), DownloadUrlProblem> {
    let split = split(url).map_err(|_| DownloadUrlProblem::Malformed)?;
    split.hostname();
    split.port().map_err(|_| DownloadUrlProblem::Malformed)?;
    if is_https_or_loopback_http(url) {
        Ok(())
    } else {
        Err(DownloadUrlProblem::NotAllowed)
    }
}

/// Rule (c): may a download follow a redirect from `old` to `new`? `new` must pass
/// rule (b), and may enter a potential local target (`localhost`, `*.localhost`,
/// loopback/unspecified IPs, legacy numeric spellings) only from a loopback URL.
pub fn is_safe_download_redirect(old: &str, new: &str) -> bool {
    if !is_https_or_loopback_http(new) {
        return false;
    }
    let new_is_local = parse_download_url(new).is_some_and(|(_, host)| is_potential_local_target_host(&host));
    !new_is_local || is_loopback_url(old)
}

/// The lowercased path suffix kind of a path or URL (its path part): `zip`,
/// `tar.gz` (`.tar.gz`/`.tgz`), or `None`.
pub fn archive_format_from_name(name: &str) -> Option<crate::archive::ArchiveFormat> {
    let path = split(name).map(|s| s.path).unwrap_or_else(|_| name.to_owned()).to_lowercase();
    if path.ends_with(".tar.gz") || path.ends_with(".tgz") {
        Some(crate::archive::ArchiveFormat::TarGz)
    } else if path.ends_with(".zip") {
        Some(crate::archive::ArchiveFormat::Zip)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn download_predicate_table() {
        // spec §23 probe 71
        for url in [
            "https://any.example/x",
            "http://localhost/x",
            "http://LOCALHOST:8/x",
            "http://127.0.0.1/x",
            "http://127.0.0.2/x",
            "http://[::1]/x",
            "http://[::ffff:127.0.0.1]/x",
            "https://[fe80::1%25eth0]/x",
        ] {
            assert!(is_https_or_loopback_http(url), "{url}");
        }
        for url in [
            "http://0.0.0.0/x",
            "http://127.1/x",
            "http://sub.localhost/x",
            "http://example.com/x",
            "https:///x",
            "file:///etc/passwd",
            "ftp://example.com/x",
            "https://ex%61mple.com/x",
            "https://example.com:99999/x",
            "http://127.000.0.1/x",
            "https://[::1/x",
        ] {
            assert!(!is_https_or_loopback_http(url), "{url}");
        }
    }

    #[test]
    fn redirect_table() {
        for target in [
            "https://localhost/x",
            "https://127.0.0.1/x",
            "https://0.0.0.0/x",
            "https://sub.localhost/x",
            "https://127.1/x",
            "https://2130706433/x",
            "https://[::]/x",
        ] {
            assert!(!is_safe_download_redirect("https://a.com/x", target), "{target}");
        }
        assert!(is_safe_download_redirect("http://localhost/x", "http://127.0.0.1/y"));
        assert!(is_safe_download_redirect("http://127.0.0.1/x", "https://example.com/y"));
        assert!(is_safe_download_redirect("https://a.com/x", "https://b.com/y"));
        assert!(!is_safe_download_redirect("https://a.com/x", "http://b.com/y"));
        assert!(!is_safe_download_redirect("http://127.0.0.1/x", "http://example.com/y"));
    }

    #[test]
    fn catalog_source_rule() {
        assert_eq!(check_catalog_source_url("http://LOCALHOST:8080/a.json"), Ok(()));
        assert_eq!(check_catalog_source_url("http://[::1]:8080/a.json"), Ok(()));
        assert_eq!(check_catalog_source_url("https://example.com/c.json"), Ok(()));
        assert_eq!(check_catalog_source_url("http://127.0.0.2/c.json"), Err(CatalogUrlProblem::Scheme("http".into())));
        assert_eq!(check_catalog_source_url("file:///x.json"), Err(CatalogUrlProblem::Scheme("file".into())));
        assert_eq!(check_catalog_source_url("https:///nohost.json"), Err(CatalogUrlProblem::NoHost));
        assert_eq!(check_catalog_source_url("https://[::1"), Err(CatalogUrlProblem::Malformed));
        assert_eq!(check_catalog_source_url("https://example.com:99999/c.json"), Err(CatalogUrlProblem::Malformed));
        assert_eq!(
            CatalogUrlProblem::Scheme("http".into()).config_message("x"),
            "Catalog URL must use HTTPS (got http://). HTTP is only allowed for localhost."
        );
    }

    #[test]
    fn download_problems() {
        assert_eq!(check_download_url("http://[::1"), Err(DownloadUrlProblem::Malformed));
        assert_eq!(check_download_url("http://example.com/x.yml"), Err(DownloadUrlProblem::NotAllowed));
        assert_eq!(check_download_url("http://127.0.0.1:9/x.yml"), Ok(()));
    }

    #[test]
    fn legacy_ipv4() {
        assert_eq!(inet_aton("127.1"), Some(Ipv4Addr::new(127, 0, 0, 1)));
        assert_eq!(inet_aton("0x7f.1"), Some(Ipv4Addr::new(127, 0, 0, 1)));
        assert_eq!(inet_aton("0177.0.0.1"), Some(Ipv4Addr::new(127, 0, 0, 1)));
        assert_eq!(inet_aton("2130706433"), Some(Ipv4Addr::new(127, 0, 0, 1)));
        assert_eq!(inet_aton("256.1.1.1"), None);
        assert_eq!(inet_aton("example"), None);
    }

    #[test]
    fn split_like_python() {
        let s = split("HTTPS://User@Host.Example:8443/p/a.zip?q=1#f").unwrap();
        assert_eq!(s.scheme, "https");
        assert_eq!(s.hostname().as_deref(), Some("host.example"));
        assert_eq!(s.port(), Ok(Some(8443)));
        assert_eq!(s.path, "/p/a.zip");
        assert_eq!(s.query, "q=1");
        assert!(split("http://[::1/x").is_err());
        assert!(split("http://x]/").is_err());
        assert!(split("http://[127.0.0.1]/").is_err());
        assert_eq!(split("http://h:/x").unwrap().port(), Ok(None));
        assert!(split("http://h:x/").unwrap().port().is_err());
    }

    proptest! {
        /// A URL that passes rule (a) always has a host, and over http only the three
        /// literal loopback names; every URL that passes rule (a) with http also passes (b).
        #[test]
        fn catalog_rule_is_narrower(scheme in "(https?|ftp|file)", host in "(localhost|LOCALHOST|127\\.0\\.0\\.[0-9]|\\[::1\\]|0\\.0\\.0\\.0|127\\.1|[a-z]{1,6}\\.[a-z]{2,3}|)", port in proptest::option::of(0u32..70000), path in "(/[a-z.]{0,5}){0,2}") {
            let url = match port { Some(p) => format!("{scheme}://{host}:{p}{path}"), None => format!("{scheme}://{host}{path}") };
            if check_catalog_source_url(&url).is_ok() {
                prop_assert!(split(&url).unwrap().hostname().is_some());
                prop_assert!(is_https_or_loopback_http(&url) || !url.starts_with("http:") || host.is_empty() || port.is_some_and(|p| p > 65535), "{}", url);
            }
            if is_https_or_loopback_http(&url) {
                prop_assert!(scheme == "https" || scheme == "http");
                if scheme == "http" {
                    prop_assert!(is_loopback_url(&url));
                }
            }
        }

        /// Splitting never panics, whatever the input.
        #[test]
        fn split_total(url in "\\PC{0,40}") {
            if let Ok(s) = split(&url) {
                let _ = s.hostname();
                let _ = s.port();
            }
            let _ = is_https_or_loopback_http(&url);
            let _ = check_catalog_source_url(&url);
            let _ = is_safe_download_redirect(&url, &url);
        }
    }
}
