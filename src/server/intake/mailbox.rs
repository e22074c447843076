//! Mailbox exports for `portal ingest`: an mbox file (messages after `From ` lines, with
//! `>From ` quoting) or a single message (.eml).

use std::io::BufReader;

/// The messages of a mailbox export, in order. A file that does not start with an mbox
/// `From ` line is one message.
pub fn messages(bytes: &[u8]) -> std::io::Result<Vec<Vec<u8>>> {
    if !bytes.starts_with(b"From ") {
        return Ok(vec![bytes.to_vec()]);
    }
    mail_parser::mailbox::mbox::MessageIterator::new(BufReader::new(bytes))
        .map(|m| m.map(|m| m.unwrap_contents()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_mbox_splits_into_its_messages_and_an_eml_is_one() {
        let mbox = b"From a@example.org Thu Nov 26 08:00:00 2026\n\
            Subject: one\n\nfirst\n>From quoted\n\n\
            From b@example.org Thu Nov 26 09:00:00 2026\n\
            Subject: two\n\nsecond\n";
        let found = messages(mbox).unwrap();
        assert_eq!(found.len(), 2);
        assert!(String::from_utf8_lossy(&found[0]).contains("Subject: one"));
        assert!(String::from_utf8_lossy(&found[0]).contains("From quoted"));
        assert!(String::from_utf8_lossy(&found[1]).contains("second"));
        assert_eq!(messages(b"Subject: alone\n\nbody\n").unwrap().len(), 1);
    }
}
