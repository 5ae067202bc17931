//! Safe archive extraction (spec: ecosystem.md §8), shared by workflow and step
//! installs.
//!
//! [`extract`] detects the format (declared by a file/URL suffix or a Content-Type,
//! checked against the bytes), validates **every** member before writing anything
//! (names, links and special members, duplicates under case/Unicode folding, a file
//! that is also a directory prefix, entry counts and sizes), then writes the members
//! into `target_dir` with exclusively created files, counting the bytes actually
//! written against the same limits. Nothing is ever written outside `target_dir`.
//!
//! Reuse (step packages): call `extract(path, staging_dir, Some(url_or_name),
//! content_type, &Limits::default())` into a fresh empty directory and map the
//! [`ArchiveError`] message into your own prefix. Zip is read by this module's own
//! bounded reader (STORED and DEFLATED only, no ZIP64, no multi-disk); tar.gz by the
//! `tar` and `flate2` crates.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use baton_expr::py::str_repr;

/// A supported archive format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArchiveFormat {
    /// `.zip`.
    Zip,
    /// `.tar.gz` / `.tgz`.
    TarGz,
}

impl ArchiveFormat {
    /// The reference's label: `zip` or `tar.gz`.
    pub fn label(self) -> &'static str {
        match self {
            ArchiveFormat::Zip => "zip",
            ArchiveFormat::TarGz => "tar.gz",
        }
    }

    /// The canonical file suffix.
    pub fn suffix(self) -> &'static str {
        match self {
            ArchiveFormat::Zip => ".zip",
            ArchiveFormat::TarGz => ".tar.gz",
        }
    }
}

/// Maximum entries of an archive.
pub const MAX_ENTRIES: usize = 512;
/// Maximum size of one member (declared and written).
pub const MAX_MEMBER_BYTES: u64 = 10 * 1024 * 1024;
/// Maximum uncompressed total (declared and written).
pub const MAX_TOTAL_BYTES: u64 = 50 * 1024 * 1024;
/// Maximum member name length in bytes.
pub const MAX_PATH_BYTES: usize = 4096;
/// Maximum length of one name segment in bytes.
pub const MAX_COMPONENT_BYTES: usize = 255;
/// Maximum size of a zip central directory.
pub const MAX_CENTRAL_DIRECTORY_BYTES: u64 = 4 * 1024 * 1024;

/// Extraction limits.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Maximum number of members.
    pub max_entries: usize,
    /// Maximum bytes of one member.
    pub max_member_bytes: u64,
    /// Maximum bytes of all members.
    pub max_total_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_entries: MAX_ENTRIES, max_member_bytes: MAX_MEMBER_BYTES, max_total_bytes: MAX_TOTAL_BYTES }
    }
}

/// An archive refused or unreadable; the message is the reference's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ArchiveError(pub String);

fn err<T>(message: impl Into<String>) -> Result<T, ArchiveError> {
    Err(ArchiveError(message.into()))
}

/// The archive format an HTTP Content-Type declares.
pub fn format_from_content_type(content_type: Option<&str>) -> Option<ArchiveFormat> {
    let media = content_type?.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    match media.as_str() {
        "application/gzip" | "application/x-gzip" | "application/x-tar+gzip" => Some(ArchiveFormat::TarGz),
        "application/zip" | "application/x-zip-compressed" => Some(ArchiveFormat::Zip),
        _ => None,
    }
}

/// What the bytes of `file` are: zip, tar.gz, or neither (`None`). A file that looks
/// like both is neither.
///
/// # Errors
/// I/O errors reading the file.
pub fn sniff<R: Read + Seek>(file: &mut R) -> io::Result<Option<ArchiveFormat>> {
    file.seek(SeekFrom::Start(0))?;
    let mut sig = [0u8; 4];
    let n = read_up_to(file, &mut sig)?;
    let sig = &sig[..n];
    let is_zip = matches!(sig, b"PK\x03\x04" | b"PK\x05\x06" | b"PK\x07\x08") || find_eocd(file)?.is_some();
    let is_gzip = sig.len() >= 2 && sig[..2] == [0x1f, 0x8b];
    let mut is_tar_gz = false;
    if is_gzip {
        file.seek(SeekFrom::Start(0))?;
        let mut decoder = flate2::read::GzDecoder::new(&mut *file);
        let mut block = [0u8; 512];
        if let Ok(512) = read_up_to(&mut decoder, &mut block) {
            is_tar_gz = block.iter().all(|b| *b == 0) || tar_header_checksum_ok(&block);
        }
    }
    file.seek(SeekFrom::Start(0))?;
    Ok(match (is_zip, is_tar_gz) {
        (true, false) => Some(ArchiveFormat::Zip),
        (false, true) => Some(ArchiveFormat::TarGz),
        _ => None,
    })
}

fn read_up_to<R: Read + ?Sized>(r: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match r.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

fn tar_header_checksum_ok(block: &[u8; 512]) -> bool {
    let field = &block[148..156];
    let text: String = field.iter().take_while(|b| **b != 0 && **b != b' ').map(|b| *b as char).collect();
    let text = text.trim();
    let Ok(stored) = i64::from_str_radix(text, 8) else { return false };
    let unsigned: i64 = block.iter().enumerate().map(|(i, b)| if (148..156).contains(&i) { 32 } else { i64::from(*b) }).sum();
    let signed: i64 = block
        .iter()
        .enumerate()
        .map(|(i, b)| if (148..156).contains(&i) { 32 } else { i64::from(*b as i8) })
        .sum();
    stored == unsigned || stored == signed
}

/// Validates the declared format (suffix of `source_name`, else Content-Type; the two
/// must agree) against the bytes, and returns the format to extract.
///
/// # Errors
/// `Archive format mismatch: …` or `Unsupported archive format; expected .zip,
/// .tar.gz, or .tgz`.
pub fn detect_format<R: Read + Seek>(
    file: &mut R,
    source_name: &str,
    content_type: Option<&str>,
) -> Result<ArchiveFormat, ArchiveError> {
    let name_format = crate::url::archive_format_from_name(source_name);
    let content_format = format_from_content_type(content_type);
    if let (Some(n), Some(c)) = (name_format, content_format) {
        if n != c {
            return err(format!(
                "Archive format mismatch: filename declares {} but Content-Type declares {}",
                n.label(),
                c.label()
            ));
        }
    }
    let declared = name_format.or(content_format);
    let actual = sniff(file).map_err(|e| ArchiveError(format!("Invalid archive: {source_name}: {e}")))?;
    let declared = match (declared, actual) {
        (Some(d), _) => d,
        (None, Some(a)) => a,
        (None, None) => return err("Unsupported archive format; expected .zip, .tar.gz, or .tgz"),
    };
    if actual != Some(declared) {
        return err(format!(
            "Archive format mismatch: expected {}, got {}",
            declared.label(),
            actual.map_or("invalid/unsupported data", ArchiveFormat::label)
        ));
    }
    Ok(declared)
}

/// Detects the format (see [`detect_format`]) of the archive at `archive_path` and
/// extracts it into `target_dir` (an existing, empty directory).
///
/// `source_name` is the file name or URL whose suffix declares the format.
///
/// # Errors
/// The reference's message for the first refused member or unreadable archive;
/// nothing has been written when a member is refused by validation.
pub fn extract(
    archive_path: &Path,
    target_dir: &Path,
    source_name: &str,
    content_type: Option<&str>,
    limits: &Limits,
) -> Result<ArchiveFormat, ArchiveError> {
    let mut file = File::open(archive_path).map_err(|e| ArchiveError(format!("Invalid archive: {}: {e}", archive_path.display())))?;
    let format = detect_format(&mut file, source_name, content_type)?;
    match format {
        ArchiveFormat::Zip => extract_zip(&mut file, archive_path, target_dir, limits)?,
        ArchiveFormat::TarGz => extract_tar_gz(archive_path, target_dir, limits)?,
    }
    Ok(format)
}

/// How a member name is refused.
fn unsafe_path(label: &str, name: &str, why: Option<&str>) -> ArchiveError {
    match why {
        Some(why) => ArchiveError(format!("Unsafe path in {label} archive: {} ({why})", str_repr(name))),
        None => ArchiveError(format!("Unsafe path in {label} archive: {}", str_repr(name))),
    }
}

/// Normalizes a member name (`\` → `/`) and refuses unsafe or non-portable names.
///
/// # Errors
/// `Unsafe path in <label> archive: '<name>' (potential path traversal | not portable
/// across supported filesystems)`.
pub fn normalize_member_name(name: &str, label: &str) -> Result<String, ArchiveError> {
    if name.contains('\0') {
        return Err(unsafe_path(label, name, None));
    }
    let normalized = name.replace('\\', "/");
    if normalized.len() > MAX_PATH_BYTES {
        return Err(unsafe_path(label, name, Some("not portable across supported filesystems")));
    }
    let mut parts: Vec<&str> = normalized.split('/').collect();
    if parts.last() == Some(&"") {
        parts.pop();
    }
    let bytes = normalized.as_bytes();
    let has_drive = bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':';
    if parts.is_empty() || normalized.starts_with('/') || has_drive || parts.iter().any(|p| matches!(*p, "" | "." | "..")) {
        return Err(unsafe_path(label, name, Some("potential path traversal")));
    }
    for part in &parts {
        let stem = part.split('.').next().unwrap_or("").split(':').next().unwrap_or("").trim_end_matches(' ');
        if part.len() > MAX_COMPONENT_BYTES
            || part.chars().any(|c| c.is_control())
            || part.chars().any(|c| "<>:\"|?*".contains(c))
            || part.starts_with(' ')
            || part.ends_with(' ')
            || part.ends_with('.')
            || crate::ids::is_windows_device_stem(&stem.to_lowercase(), true)
        {
            return Err(unsafe_path(label, name, Some("not portable across supported filesystems")));
        }
    }
    Ok(normalized)
}

/// The comparison key of a member path on case- and Unicode-folding filesystems.
pub fn portable_path_key(name: &str) -> Vec<String> {
    use unicode_normalization::UnicodeNormalization;
    let normalized = name.replace('\\', "/");
    let trimmed = normalized.strip_suffix('/').unwrap_or(&normalized);
    trimmed.split('/').map(|p| p.to_lowercase().nfc().collect()).collect()
}

/// One validated member to write.
struct Planned {
    /// The name as stored in the archive (for messages).
    original: String,
    /// The normalized relative path.
    normalized: String,
    is_dir: bool,
}

/// Duplicate and file-as-directory checks over every member.
struct PathSet {
    label: &'static str,
    seen: BTreeMap<Vec<String>, (String, bool)>,
}

impl PathSet {
    fn new(label: &'static str) -> Self {
        PathSet { label, seen: BTreeMap::new() }
    }

    fn insert(&mut self, original: &str, normalized: &str, is_dir: bool) -> Result<(), ArchiveError> {
        let key = portable_path_key(normalized);
        if let Some((existing, _)) = self.seen.get(&key) {
            return err(format!("Conflicting path in {} archive: {original} conflicts with {existing}", self.label));
        }
        self.seen.insert(key, (original.to_owned(), is_dir));
        Ok(())
    }

    fn check_prefixes(&self) -> Result<(), ArchiveError> {
        let items: Vec<_> = self.seen.iter().collect();
        for pair in items.windows(2) {
            let (key, (original, is_dir)) = pair[0];
            let (next_key, (next_original, _)) = pair[1];
            if !is_dir && next_key.len() > key.len() && next_key[..key.len()] == key[..] {
                return err(format!("Conflicting path in {} archive: {original} conflicts with {next_original}", self.label));
            }
        }
        Ok(())
    }
}

/// Writes one member's bytes, counting against the limits.
struct Writer<'a> {
    target: &'a Path,
    limits: &'a Limits,
    total_written: u64,
}

impl Writer<'_> {
    fn dir(&self, rel: &str, label: &str, original: &str) -> Result<(), ArchiveError> {
        create_dirs_inside(self.target, rel)
            .map_err(|e| ArchiveError(format!("Failed to create {label} directory {original}: {e}")))
    }

    fn file(&mut self, rel: &str, label: &str, original: &str, source: &mut dyn Read) -> Result<(), ArchiveError> {
        let parent = Path::new(rel).parent().map(|p| p.to_string_lossy().into_owned()).unwrap_or_default();
        if !parent.is_empty() {
            create_dirs_inside(self.target, &parent).map_err(|e| {
                ArchiveError(format!("Failed to create parent directory for {label} member {original}: {e}"))
            })?;
        }
        let member_label = if label == "ZIP" { "ZIP" } else { "tar.gz" };
        let path = self.target.join(rel);
        let mut dest = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| ArchiveError(format!("Failed to extract {member_label} member {original}: {e}")))?;
        let mut written: u64 = 0;
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = match source.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return err(format!("Failed to extract {member_label} member {original}: {e}")),
            };
            written += n as u64;
            if written > self.limits.max_member_bytes {
                return err(format!(
                    "{member_label} member {original} exceeds maximum size of {} bytes",
                    self.limits.max_member_bytes
                ));
            }
            self.total_written += n as u64;
            if self.total_written > self.limits.max_total_bytes {
                return err(format!(
                    "{member_label} archive exceeds maximum uncompressed size of {} bytes",
                    self.limits.max_total_bytes
                ));
            }
            dest.write_all(&buf[..n])
                .map_err(|e| ArchiveError(format!("Failed to extract {member_label} member {original}: {e}")))?;
        }
        Ok(())
    }
}

/// Creates `target/rel` and its parents, refusing to pass through anything that is not
/// a real directory (a symlink cannot exist there, but never follow one).
fn create_dirs_inside(target: &Path, rel: &str) -> io::Result<()> {
    let mut current = target.to_path_buf();
    for part in rel.split('/').filter(|p| !p.is_empty()) {
        current.push(part);
        match fs::symlink_metadata(&current) {
            Ok(meta) if meta.is_dir() => {}
            Ok(_) => return Err(io::Error::new(io::ErrorKind::AlreadyExists, format!("{} is not a directory", current.display()))),
            Err(e) if e.kind() == io::ErrorKind::NotFound => fs::create_dir(&current)?,
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------
// zip

/// One central directory record.
struct ZipEntry {
    name: String,
    method: u16,
    crc: u32,
    compressed: u64,
    size: u64,
    external_attr: u32,
    local_offset: u64,
    encrypted: bool,
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// The offset of the end-of-central-directory record, if the file has one whose
/// comment runs exactly to the end of the file.
fn find_eocd<R: Read + Seek>(file: &mut R) -> io::Result<Option<(u64, [u8; 22])>> {
    let size = file.seek(SeekFrom::End(0))?;
    let tail_len = size.min(22 + 0xFFFF);
    file.seek(SeekFrom::Start(size - tail_len))?;
    let mut tail = vec![0u8; tail_len as usize];
    file.read_exact(&mut tail)?;
    let Some(idx) = tail.windows(4).rposition(|w| w == b"PK\x05\x06") else { return Ok(None) };
    if idx + 22 > tail.len() {
        return Ok(None);
    }
    let comment = u16_at(&tail, idx + 20) as usize;
    if idx + 22 + comment != tail.len() {
        return Ok(None);
    }
    let mut record = [0u8; 22];
    record.copy_from_slice(&tail[idx..idx + 22]);
    Ok(Some((size - tail_len + idx as u64, record)))
}

fn zip_features(version: u16, method: u16) -> Result<(), ArchiveError> {
    if method != 0 && method != 8 {
        return err(format!(
            "Unsupported ZIP compression method {method}; the bounded extractor supports only STORED and DEFLATED"
        ));
    }
    if version & 0xff >= 45 {
        return err("ZIP64 or newer ZIP features requiring extractor version 4.5 or newer are not supported by the bounded extractor");
    }
    Ok(())
}

fn zip64_error() -> ArchiveError {
    ArchiveError("ZIP64 archives are not supported by the bounded extractor".into())
}

fn reject_zip64_extra(extra: &[u8], invalid: &dyn Fn() -> ArchiveError) -> Result<(), ArchiveError> {
    let mut offset = 0;
    while offset + 4 <= extra.len() {
        let id = u16_at(extra, offset);
        let len = u16_at(extra, offset + 2) as usize;
        if id == 1 {
            return Err(zip64_error());
        }
        if offset + 4 + len > extra.len() {
            return Err(invalid());
        }
        offset += 4 + len;
    }
    Ok(())
}

/// The bounded preflight of the central directory and local headers, then the
/// entries with the data offsets.
fn read_zip_directory<R: Read + Seek>(file: &mut R, zip_path: &Path, limits: &Limits) -> Result<Vec<(ZipEntry, u64)>, ArchiveError> {
    let invalid = || ArchiveError(format!("Invalid ZIP archive: {}", zip_path.display()));
    let io_invalid = |_e: io::Error| invalid();
    let (eocd_offset, eocd) = find_eocd(file).map_err(io_invalid)?.ok_or_else(invalid)?;
    if eocd_offset >= 20 {
        file.seek(SeekFrom::Start(eocd_offset - 20)).map_err(io_invalid)?;
        let mut sig = [0u8; 4];
        if read_up_to(file, &mut sig).map_err(io_invalid)? == 4 && &sig == b"PK\x06\x07" {
            return Err(zip64_error());
        }
    }
    let (disk, cd_disk, on_disk, declared) = (u16_at(&eocd, 4), u16_at(&eocd, 6), u16_at(&eocd, 8), u16_at(&eocd, 10));
    let (cd_size, cd_offset) = (u64::from(u32_at(&eocd, 12)), u64::from(u32_at(&eocd, 16)));
    if disk != 0 || cd_disk != 0 || on_disk != declared {
        return err("Multi-disk ZIP archives are not supported");
    }
    if declared == 0xFFFF || cd_size == 0xFFFF_FFFF || cd_offset == 0xFFFF_FFFF {
        return Err(zip64_error());
    }
    if usize::from(declared) > limits.max_entries {
        return err(format!("ZIP archive contains too many entries ({declared} > {})", limits.max_entries));
    }
    if cd_size > MAX_CENTRAL_DIRECTORY_BYTES {
        return err(format!("ZIP central directory exceeds maximum size of {MAX_CENTRAL_DIRECTORY_BYTES} bytes"));
    }
    if cd_size > eocd_offset || cd_offset > eocd_offset - cd_size {
        return Err(invalid());
    }
    let cd_start = eocd_offset - cd_size;
    let prefix = cd_start - cd_offset;
    file.seek(SeekFrom::Start(cd_start)).map_err(io_invalid)?;
    let mut cd = vec![0u8; cd_size as usize];
    file.read_exact(&mut cd).map_err(io_invalid)?;
    let mut entries = Vec::new();
    let mut at = 0usize;
    while at < cd.len() {
        if cd.len() - at < 46 || &cd[at..at + 4] != b"PK\x01\x02" {
            return Err(invalid());
        }
        let h = &cd[at..at + 46];
        zip_features(u16_at(h, 6), u16_at(h, 10))?;
        let flags = u16_at(h, 8);
        let (compressed, size) = (u32_at(h, 20), u32_at(h, 24));
        let disk_start = u16_at(h, 34);
        let local = u32_at(h, 42);
        if compressed == 0xFFFF_FFFF || size == 0xFFFF_FFFF || local == 0xFFFF_FFFF || disk_start == 0xFFFF {
            return Err(zip64_error());
        }
        if disk_start != 0 {
            return err("Multi-disk ZIP archives are not supported");
        }
        let (name_len, extra_len, comment_len) = (u16_at(h, 28) as usize, u16_at(h, 30) as usize, u16_at(h, 32) as usize);
        let record = 46 + name_len + extra_len + comment_len;
        if record > cd.len() - at {
            return Err(invalid());
        }
        let name_bytes = &cd[at + 46..at + 46 + name_len];
        reject_zip64_extra(&cd[at + 46 + name_len..at + 46 + name_len + extra_len], &invalid)?;
        let name = if flags & 0x800 != 0 {
            String::from_utf8_lossy(name_bytes).into_owned()
        } else {
            name_bytes.iter().map(|b| cp437(*b)).collect()
        };
        // Python's ZipInfo truncates a name at its first NUL.
        let name = match name.find('\0') {
            Some(i) => name[..i].to_owned(),
            None => name,
        };
        entries.push(ZipEntry {
            name,
            method: u16_at(h, 10),
            crc: u32_at(h, 16),
            compressed: u64::from(compressed),
            size: u64::from(size),
            external_attr: u32_at(h, 38),
            local_offset: u64::from(local),
            encrypted: flags & 1 != 0,
        });
        at += record;
        if entries.len() > limits.max_entries {
            return err(format!("ZIP archive contains too many entries ({} > {})", entries.len(), limits.max_entries));
        }
    }
    if entries.len() != usize::from(declared) {
        return Err(invalid());
    }
    let mut out = Vec::with_capacity(entries.len());
    for entry in entries {
        let physical = prefix + entry.local_offset;
        if physical + 30 > cd_start {
            return Err(invalid());
        }
        file.seek(SeekFrom::Start(physical)).map_err(io_invalid)?;
        let mut h = [0u8; 30];
        file.read_exact(&mut h).map_err(io_invalid)?;
        if &h[..4] != b"PK\x03\x04" {
            return Err(invalid());
        }
        zip_features(u16_at(&h, 4), u16_at(&h, 8))?;
        if u32_at(&h, 18) == 0xFFFF_FFFF || u32_at(&h, 22) == 0xFFFF_FFFF {
            return Err(zip64_error());
        }
        let (name_len, extra_len) = (u64::from(u16_at(&h, 26)), u64::from(u16_at(&h, 28)));
        let extra_at = physical + 30 + name_len;
        if extra_at + extra_len > cd_start {
            return Err(invalid());
        }
        file.seek(SeekFrom::Start(extra_at)).map_err(io_invalid)?;
        let mut extra = vec![0u8; extra_len as usize];
        file.read_exact(&mut extra).map_err(io_invalid)?;
        reject_zip64_extra(&extra, &invalid)?;
        let data_at = extra_at + extra_len;
        if data_at + entry.compressed > cd_start {
            return Err(invalid());
        }
        out.push((entry, data_at));
    }
    Ok(out)
}

/// Code page 437, the zip default name encoding.
fn cp437(b: u8) -> char {
    const HIGH: &str = "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u{a0}";
    if b < 0x80 {
        b as char
    } else {
        HIGH.chars().nth(usize::from(b - 0x80)).unwrap_or('?')
    }
}

/// A reader over one member's data that checks the CRC at the end.
struct CrcReader<R> {
    inner: R,
    hasher: crc32fast::Hasher,
    expected: u32,
    name: String,
    done: bool,
}

impl<R: Read> Read for CrcReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n == 0 {
            if !self.done {
                self.done = true;
                let actual = std::mem::take(&mut self.hasher).finalize();
                if actual != self.expected {
                    return Err(io::Error::new(io::ErrorKind::InvalidData, format!("Bad CRC-32 for file {}", str_repr(&self.name))));
                }
            }
            return Ok(0);
        }
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

fn extract_zip(file: &mut File, zip_path: &Path, target: &Path, limits: &Limits) -> Result<(), ArchiveError> {
    let entries = read_zip_directory(file, zip_path, limits)?;
    let mut paths = PathSet::new("ZIP");
    let mut planned = Vec::with_capacity(entries.len());
    let mut total: u64 = 0;
    for (entry, _) in &entries {
        let normalized = normalize_member_name(&entry.name, "ZIP")?;
        let is_dir = entry.name.ends_with('/') || normalized.ends_with('/');
        paths.insert(&entry.name, &normalized, is_dir)?;
        let mode = entry.external_attr >> 16;
        if mode & 0o170000 == 0o120000 {
            return err(format!("Unsafe symlink in ZIP archive: {}", entry.name));
        }
        if !is_dir {
            if entry.size > limits.max_member_bytes {
                return err(format!("ZIP member {} exceeds maximum size of {} bytes", entry.name, limits.max_member_bytes));
            }
            total += entry.size;
            if total > limits.max_total_bytes {
                return err(format!("ZIP archive exceeds maximum uncompressed size of {} bytes", limits.max_total_bytes));
            }
        }
        planned.push(Planned { original: entry.name.clone(), normalized, is_dir });
    }
    paths.check_prefixes()?;
    let mut writer = Writer { target, limits, total_written: 0 };
    for ((entry, data_at), plan) in entries.iter().zip(&planned) {
        if plan.is_dir {
            writer.dir(&plan.normalized, "ZIP", &plan.original)?;
            continue;
        }
        if entry.encrypted {
            return err(format!("Failed to extract ZIP member {}: File {} is encrypted, password required for extraction", plan.original, str_repr(&plan.original)));
        }
        file.seek(SeekFrom::Start(*data_at))
            .map_err(|e| ArchiveError(format!("Failed to extract ZIP member {}: {e}", plan.original)))?;
        let raw = (&mut *file).take(entry.compressed);
        // One byte past the member limit is enough to report it.
        let cap = limits.max_member_bytes + 1;
        let mut source: Box<dyn Read + '_> = if entry.method == 8 {
            Box::new(CrcReader { inner: flate2::read::DeflateDecoder::new(raw).take(cap), hasher: crc32fast::Hasher::new(), expected: entry.crc, name: plan.original.clone(), done: false })
        } else {
            Box::new(CrcReader { inner: raw.take(cap), hasher: crc32fast::Hasher::new(), expected: entry.crc, name: plan.original.clone(), done: false })
        };
        writer.file(&plan.normalized, "ZIP", &plan.original, &mut source)?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------
// tar.gz

fn tar_name(entry: &tar::Entry<'_, impl Read>) -> Result<String, String> {
    let bytes = entry.path_bytes();
    let name = String::from_utf8_lossy(&bytes).into_owned();
    if std::str::from_utf8(&bytes).is_err() {
        return Err(name);
    }
    Ok(name)
}

fn extract_tar_gz(archive_path: &Path, target: &Path, limits: &Limits) -> Result<(), ArchiveError> {
    let invalid = |e: &dyn std::fmt::Display| ArchiveError(format!("Invalid tar.gz archive: {}: {e}", archive_path.display()));
    let open = || -> Result<tar::Archive<flate2::read::GzDecoder<File>>, ArchiveError> {
        let file = File::open(archive_path).map_err(|e| invalid(&e))?;
        Ok(tar::Archive::new(flate2::read::GzDecoder::new(file)))
    };
    let mut archive = open()?;
    let mut paths = PathSet::new("tar.gz");
    let mut planned = Vec::new();
    let mut total: u64 = 0;
    for (index, entry) in archive.entries().map_err(|e| invalid(&e))?.enumerate() {
        let entry = entry.map_err(|e| invalid(&e))?;
        if index + 1 > limits.max_entries {
            return err(format!("tar.gz archive contains too many entries ({} > {})", index + 1, limits.max_entries));
        }
        let kind = entry.header().entry_type();
        let is_dir = kind.is_dir();
        let raw_name = match tar_name(&entry) {
            Ok(name) => name,
            Err(lossy) => return Err(unsafe_path("tar.gz", &lossy, None)),
        };
        // Python's tarfile drops the trailing slashes of a directory's name.
        let name = if is_dir { raw_name.trim_end_matches('/').to_owned() } else { raw_name };
        let normalized = normalize_member_name(&name, "tar.gz")?;
        if kind.is_symlink() {
            return err(format!("Unsafe symlink in tar.gz archive: {name}"));
        }
        if kind.is_hard_link() {
            return err(format!("Unsafe hard link in tar.gz archive: {name}"));
        }
        let is_regular = matches!(kind, tar::EntryType::Regular | tar::EntryType::Continuous) || kind.as_byte() == b'\0';
        if !is_dir && !is_regular {
            return err(format!("Unsafe member type in tar.gz archive: {name}"));
        }
        paths.insert(&name, &normalized, is_dir)?;
        if !is_dir {
            let size = entry.size();
            if size > limits.max_member_bytes {
                return err(format!("tar.gz member {name} exceeds maximum size of {} bytes", limits.max_member_bytes));
            }
            total += size;
            if total > limits.max_total_bytes {
                return err(format!("tar.gz archive exceeds maximum uncompressed size of {} bytes", limits.max_total_bytes));
            }
        }
        planned.push(Planned { original: name, normalized, is_dir });
    }
    paths.check_prefixes()?;
    let mut writer = Writer { target, limits, total_written: 0 };
    let mut archive = open()?;
    let mut plans = planned.iter();
    for entry in archive.entries().map_err(|e| invalid(&e))? {
        let mut entry = entry.map_err(|e| invalid(&e))?;
        let Some(plan) = plans.next() else { break };
        if plan.is_dir {
            writer.dir(&plan.normalized, "tar.gz", &plan.original)?;
        } else {
            let cap = limits.max_member_bytes + 1;
            let mut source = (&mut entry).take(cap);
            writer.file(&plan.normalized, "tar.gz", &plan.original, &mut source)?;
        }
    }
    Ok(())
}

/// Every file and directory under `root` (relative paths), for tests and callers that
/// need to check what an extraction produced.
pub fn list_tree(root: &Path) -> io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir)? {
            let entry = entry?;
            let path = entry.path();
            if let Ok(rel) = path.strip_prefix(root) {
                out.push(rel.to_path_buf());
            }
            if entry.file_type()?.is_dir() {
                stack.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}
