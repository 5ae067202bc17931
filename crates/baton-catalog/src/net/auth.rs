//! `~/.specify/auth.json`: which hosts receive which credentials (spec §6.1(d)).
//!
//! ```json
//! {"providers": [{"hosts": ["github.com", "*.ghe.example"], "provider": "github",
//!                 "auth": "bearer", "token_env": "GH_TOKEN"}]}
//! ```
//! Providers: `github` (`bearer`), `bitbucket` (`bearer`, `basic` with `username`),
//! `azure-devops` (`basic-pat`, `bearer`; the `azure-cli`/`azure-ad` schemes, which
//! the reference resolves by running `az` or a token request, resolve to no token here).

use std::collections::BTreeMap;
use std::path::Path;

/// One provider entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthEntry {
    /// Host patterns: exact names or `*.suffix`, lowercased.
    pub hosts: Vec<String>,
    /// `github`, `bitbucket` or `azure-devops`.
    pub provider: String,
    /// The scheme (`bearer`, `basic`, `basic-pat`, …).
    pub auth: String,
    /// A literal token.
    pub token: Option<String>,
    /// The environment variable holding the token.
    pub token_env: Option<String>,
    /// The user name of a `basic` credential.
    pub username: Option<String>,
}

/// The loaded configuration plus the environment values tokens may come from.
#[derive(Debug, Clone, Default)]
pub struct AuthConfig {
    /// The entries, in file order.
    pub entries: Vec<AuthEntry>,
    /// Environment values (`token_env` lookups); the CLI passes the process environment.
    pub env: BTreeMap<String, String>,
}

/// Why `auth.json` could not be used (the reference warns and goes unauthenticated).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct AuthConfigError(pub String);

fn supported(provider: &str) -> Option<&'static [&'static str]> {
    match provider {
        "github" => Some(&["bearer"]),
        "bitbucket" => Some(&["bearer", "basic"]),
        "azure-devops" => Some(&["basic-pat", "bearer", "azure-cli", "azure-ad"]),
        _ => None,
    }
}

fn valid_pattern(pattern: &str) -> bool {
    if pattern.contains(['?', '[', ']']) {
        return false;
    }
    if !pattern.contains('*') {
        return true;
    }
    pattern.starts_with("*.") && pattern.len() > 2 && !pattern[2..].contains('*')
}

/// Whether `host` matches an exact pattern or a `*.suffix` wildcard.
pub fn host_matches(host: &str, pattern: &str) -> bool {
    let host = host.to_lowercase();
    let pattern = pattern.to_lowercase();
    if pattern.starts_with("*.") && valid_pattern(&pattern) {
        return host.ends_with(&pattern[1..]);
    }
    host == pattern
}

impl AuthConfig {
    /// Reads `path` (absent → no entries).
    ///
    /// # Errors
    /// [`AuthConfigError`] with the reference's wording for a malformed file.
    pub fn load(path: &Path, env: BTreeMap<String, String>) -> Result<Self, AuthConfigError> {
        if !path.is_file() {
            return Ok(AuthConfig { entries: Vec::new(), env });
        }
        let text = std::fs::read_to_string(path).map_err(|e| AuthConfigError(format!("{}: {e}", path.display())))?;
        let raw: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| AuthConfigError(format!("{} contains invalid JSON: {e}", path.display())))?;
        Ok(AuthConfig { entries: parse_entries(&raw)?, env })
    }

    /// The entries whose hosts match `url`'s host.
    pub fn entries_for(&self, url: &str) -> Vec<&AuthEntry> {
        let Ok(split) = crate::url::split(url) else { return Vec::new() };
        if split.port().is_err() {
            return Vec::new();
        }
        let Some(host) = split.hostname() else { return Vec::new() };
        self.entries.iter().filter(|e| e.hosts.iter().any(|p| host_matches(&host, p))).collect()
    }

    /// The `Authorization` header value of an entry, when its token resolves.
    pub fn header_for(&self, entry: &AuthEntry) -> Option<String> {
        let token = match (&entry.token, &entry.token_env) {
            (Some(t), _) => Some(t.clone()),
            (None, Some(var)) => self.env.get(var).cloned(),
            _ => None,
        }
        .filter(|t| !t.trim().is_empty())?;
        match entry.auth.as_str() {
            "bearer" => Some(format!("Bearer {token}")),
            "basic" => Some(format!("Basic {}", base64(format!("{}:{token}", entry.username.as_deref()?).as_bytes()))),
            "basic-pat" => Some(format!("Basic {}", base64(format!(":{token}").as_bytes()))),
            _ => None,
        }
    }

    /// Host patterns of every `github` provider entry (trusted GitHub Enterprise hosts).
    pub fn github_hosts(&self) -> Vec<String> {
        self.entries.iter().filter(|e| e.provider == "github").flat_map(|e| e.hosts.clone()).collect()
    }
}

fn parse_entries(raw: &serde_json::Value) -> Result<Vec<AuthEntry>, AuthConfigError> {
    let bad = |m: String| Err(AuthConfigError(m));
    let Some(obj) = raw.as_object() else {
        return bad(format!("auth.json must be a JSON object, got {}", json_type(raw)));
    };
    let Some(providers) = obj.get("providers").and_then(|p| p.as_array()) else {
        return bad("auth.json must contain a 'providers' array".into());
    };
    let mut entries = Vec::new();
    for (i, item) in providers.iter().enumerate() {
        let Some(item) = item.as_object() else { return bad(format!("providers[{i}]: must be a JSON object")) };
        let hosts = match item.get("hosts").and_then(|h| h.as_array()) {
            Some(h) if !h.is_empty() => h,
            _ => return bad(format!("providers[{i}]: 'hosts' must be a non-empty array")),
        };
        let mut patterns = Vec::new();
        for h in hosts {
            match h.as_str() {
                Some(s) if !s.trim().is_empty() => patterns.push(s.trim().to_lowercase()),
                _ => return bad(format!("providers[{i}]: each host must be a non-empty string")),
            }
        }
        if let Some(p) = patterns.iter().find(|p| !valid_pattern(p)) {
            return bad(format!(
                "providers[{i}]: invalid host pattern '{p}'. Only exact hostnames or '*.suffix' forms are allowed (e.g. 'github.com' or '*.visualstudio.com')."
            ));
        }
        let text = |key: &str| item.get(key).and_then(|v| v.as_str()).map(str::to_owned);
        let provider = text("provider").filter(|s| !s.is_empty());
        let Some(provider) = provider else { return bad(format!("providers[{i}]: 'provider' must be a non-empty string")) };
        let Some(auth) = text("auth").filter(|s| !s.is_empty()) else {
            return bad(format!("providers[{i}]: 'auth' must be a non-empty string"));
        };
        let Some(schemes) = supported(&provider) else {
            return bad(format!("providers[{i}]: unknown provider '{provider}'; registered: ['azure-devops', 'bitbucket', 'github']"));
        };
        if !schemes.contains(&auth.as_str()) {
            return bad(format!("providers[{i}]: provider '{provider}' does not support auth scheme '{auth}'"));
        }
        for key in ["token", "token_env", "username"] {
            if let Some(v) = item.get(key) {
                if !v.is_null() && v.as_str().is_none_or(|s| s.trim().is_empty()) {
                    return bad(format!("providers[{i}]: '{key}' must be a non-empty string"));
                }
            }
        }
        let token = text("token");
        let token_env = text("token_env").map(|s| s.trim().to_owned());
        let username = text("username").map(|s| s.trim().to_owned());
        if username.as_deref().is_some_and(|u| u.contains(':')) {
            return bad(format!("providers[{i}]: 'username' must not contain ':'"));
        }
        if matches!(auth.as_str(), "bearer" | "basic-pat" | "basic") && token.is_none() && token_env.is_none() {
            return bad(format!("providers[{i}]: auth='{auth}' requires 'token' or 'token_env'"));
        }
        if auth == "basic" && username.is_none() {
            return bad(format!("providers[{i}]: auth='basic' requires 'username'"));
        }
        entries.push(AuthEntry { hosts: patterns, provider, auth, token, token_env, username });
    }
    Ok(entries)
}

fn json_type(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "NoneType",
        serde_json::Value::Bool(_) => "bool",
        serde_json::Value::Number(n) if n.is_f64() => "float",
        serde_json::Value::Number(_) => "int",
        serde_json::Value::String(_) => "str",
        serde_json::Value::Array(_) => "list",
        serde_json::Value::Object(_) => "dict",
    }
}

/// Standard base64 with padding.
fn base64(input: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_known() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b":pat"), "OnBhdA==");
    }

    #[test]
    fn entries_and_headers() {
        let raw = serde_json::json!({"providers": [
            {"hosts": ["GitHub.com", "*.corp.example"], "provider": "github", "auth": "bearer", "token_env": "GH"},
            {"hosts": ["bitbucket.org"], "provider": "bitbucket", "auth": "basic", "token": "s", "username": "me"}
        ]});
        let mut env = BTreeMap::new();
        env.insert("GH".to_owned(), "tok".to_owned());
        let cfg = AuthConfig { entries: parse_entries(&raw).unwrap(), env };
        let e = cfg.entries_for("https://github.com/o/r");
        assert_eq!(e.len(), 1);
        assert_eq!(cfg.header_for(e[0]).as_deref(), Some("Bearer tok"));
        assert_eq!(cfg.entries_for("https://x.corp.example/a").len(), 1);
        assert_eq!(cfg.entries_for("https://corp.example/a").len(), 0);
        assert_eq!(cfg.entries_for("https://github.com.evil.com/").len(), 0);
        let b = cfg.entries_for("https://bitbucket.org/x");
        assert_eq!(cfg.header_for(b[0]).as_deref(), Some("Basic bWU6cw=="));
    }

    #[test]
    fn refusals() {
        for (raw, msg) in [
            (serde_json::json!([]), "auth.json must be a JSON object, got list"),
            (serde_json::json!({}), "auth.json must contain a 'providers' array"),
            (serde_json::json!({"providers": [{"hosts": ["*github.com"], "provider": "github", "auth": "bearer", "token": "t"}]}), "invalid host pattern"),
            (serde_json::json!({"providers": [{"hosts": ["a"], "provider": "nope", "auth": "bearer", "token": "t"}]}), "unknown provider"),
            (serde_json::json!({"providers": [{"hosts": ["a"], "provider": "github", "auth": "bearer"}]}), "requires 'token' or 'token_env'"),
        ] {
            let e = parse_entries(&raw).unwrap_err();
            assert!(e.0.contains(msg), "{e}");
        }
    }
}
