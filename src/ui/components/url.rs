//! Building URLs in the browser and on the server alike.

/// Percent-encodes text for a query value or a `data:` URL (letters, digits and `-_.~` pass
/// unchanged; every other byte of its UTF-8 becomes `%XX`).
pub fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Decodes `%XX` escapes (the inverse of [`percent_encode`]); a `%` not followed by two hex
/// digits stays as it is, and bytes that are not UTF-8 become U+FFFD.
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).and_then(|b| hex(*b)),
            bytes.get(i + 2).and_then(|b| hex(*b)),
        ) {
            (b'%', Some(high), Some(low)) => {
                out.push((high * 16 + low) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::{percent_decode, percent_encode};

    #[test]
    fn decoding_undoes_encoding_and_keeps_a_stray_percent() {
        for text in ["Acme & Co~1", "Zürich", "after=7&back=", "100%"] {
            assert_eq!(percent_decode(&percent_encode(text)), text);
        }
        assert_eq!(percent_decode("50%_off%2"), "50%_off%2");
    }

    #[test]
    fn reserved_and_non_ascii_bytes_are_escaped() {
        assert_eq!(percent_encode("Acme & Co~1"), "Acme%20%26%20Co~1");
        assert_eq!(percent_encode("Zürich"), "Z%C3%BCrich");
    }
}
