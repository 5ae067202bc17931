//! `!!binary`: Python's lenient `base64.decodebytes` (characters outside the alphabet
//! are skipped, a complete pad sequence ends the data) and `base64.encodebytes` (lines
//! of 76 characters, each ending in `\n`).

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn sextet(c: u8) -> Option<u8> {
    match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

/// `binascii.a2b_base64(data)` (non-strict). The error is the `binascii.Error` text.
pub(crate) fn decode(data: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(data.len() / 4 * 3);
    let mut quad = 0u8;
    let mut left = 0u8;
    let mut pads = 0u32;
    for &c in data {
        if c == b'=' {
            if quad >= 2 {
                pads += 1;
                if u32::from(quad) + pads >= 4 {
                    return Ok(out);
                }
            }
            continue;
        }
        let Some(v) = sextet(c) else { continue };
        pads = 0;
        match quad {
            0 => {
                quad = 1;
                left = v;
            }
            1 => {
                quad = 2;
                out.push((left << 2) | (v >> 4));
                left = v & 0x0f;
            }
            2 => {
                quad = 3;
                out.push((left << 4) | (v >> 2));
                left = v & 0x03;
            }
            _ => {
                quad = 0;
                out.push((left << 6) | v);
                left = 0;
            }
        }
    }
    match quad {
        0 => Ok(out),
        1 => Err(format!(
            "Invalid base64-encoded string: number of data characters ({}) cannot be 1 more \
             than a multiple of 4",
            out.len() / 3 * 4 + 1
        )),
        _ => Err("Incorrect padding".to_owned()),
    }
}

/// `base64.encodebytes(data).decode('ascii')`.
pub(crate) fn encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len() * 4 / 3 + data.len() / 57 + 4);
    for line in data.chunks(57) {
        for chunk in line.chunks(3) {
            let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
            let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
                } else {
                    out.push('=');
                }
            }
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        assert_eq!(decode(b"aGVsbG8=").as_deref(), Ok(&b"hello"[..]));
        assert_eq!(decode(b"aGVs\nbG8=\n").as_deref(), Ok(&b"hello"[..]));
        assert_eq!(decode(b"aGVsbG8").err().as_deref(), Some("Incorrect padding"));
        assert_eq!(encode(b"hello"), "aGVsbG8=\n");
        assert_eq!(encode(b""), "");
        let long = vec![7u8; 100];
        assert_eq!(decode(encode(&long).as_bytes()).as_deref(), Ok(&long[..]));
        assert!(encode(&long).lines().all(|l| l.len() <= 76));
    }
}
