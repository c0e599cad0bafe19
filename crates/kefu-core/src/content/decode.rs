//! Turning a file's bytes into text: UTF-8 (with or without BOM), GB18030/GBK, CRLF.

/// Files larger than this are skipped with a warning (5 MB).
pub const MAX_FILE_BYTES: u64 = 5 * 1024 * 1024;

/// The outcome of decoding a file.
#[derive(Debug, PartialEq, Eq)]
pub enum Decoded {
    /// Valid UTF-8 (a BOM, if any, removed).
    Utf8(String),
    /// Not UTF-8 but valid GB18030 (which includes GBK and GB2312).
    Gb18030(String),
    /// UTF-16 with a byte-order mark (what Windows Notepad's "Unicode" writes).
    Utf16(String),
    /// Looks binary (NUL bytes).
    Binary,
    /// Neither UTF-8 nor GB18030.
    Unknown,
}

impl Decoded {
    /// The text, whatever encoding it came from; `None` for binary or unknown bytes.
    pub fn into_text(self) -> Option<String> {
        match self {
            Decoded::Utf8(t) | Decoded::Gb18030(t) | Decoded::Utf16(t) => Some(t),
            Decoded::Binary | Decoded::Unknown => None,
        }
    }
}

/// Decodes file bytes. Line endings are normalised to `\n`.
pub fn decode_text(bytes: &[u8]) -> Decoded {
    for (bom, encoding) in [
        (b"\xFF\xFE", encoding_rs::UTF_16LE),
        (b"\xFE\xFF", encoding_rs::UTF_16BE),
    ] {
        if let Some(rest) = bytes.strip_prefix(bom) {
            let (text, had_errors) = encoding.decode_without_bom_handling(rest);
            return if had_errors || text.contains('\0') {
                Decoded::Unknown
            } else {
                Decoded::Utf16(normalise_newlines(&text))
            };
        }
    }
    let sniff = &bytes[..bytes.len().min(8192)];
    if sniff.contains(&0) {
        return Decoded::Binary;
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => Decoded::Utf8(normalise_newlines(s)),
        Err(_) => {
            let (text, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
            if had_errors {
                Decoded::Unknown
            } else {
                Decoded::Gb18030(normalise_newlines(&text))
            }
        }
    }
}

fn normalise_newlines(s: &str) -> String {
    if s.contains('\r') {
        s.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_bom_and_crlf() {
        assert_eq!(
            decode_text(b"\xEF\xBB\xBFa\r\nb\r\n"),
            Decoded::Utf8("a\nb\n".into())
        );
    }

    #[test]
    fn gbk_bytes_decode_as_gb18030() {
        let (bytes, _, _) = encoding_rs::GB18030.encode("标题：催发货");
        assert_eq!(decode_text(&bytes), Decoded::Gb18030("标题：催发货".into()));
    }

    #[test]
    fn nul_bytes_mean_binary() {
        assert_eq!(decode_text(b"\x89PNG\r\n\x1a\n\0\0\0"), Decoded::Binary);
    }

    #[test]
    fn utf16_with_a_bom_decodes() {
        let mut le = vec![0xFF, 0xFE];
        let mut be = vec![0xFE, 0xFF];
        for u in "标题\r\nx".encode_utf16() {
            le.extend(u.to_le_bytes());
            be.extend(u.to_be_bytes());
        }
        assert_eq!(decode_text(&le), Decoded::Utf16("标题\nx".into()));
        assert_eq!(decode_text(&be), Decoded::Utf16("标题\nx".into()));
        // An odd byte count is not UTF-16.
        le.push(b'a');
        assert_eq!(decode_text(&le), Decoded::Unknown);
    }

    #[test]
    fn garbage_is_unknown() {
        // 0xFF is never valid in UTF-8 nor as a GB18030 lead byte.
        assert_eq!(decode_text(b"\xFF\xFF\xFF"), Decoded::Unknown);
    }
}
