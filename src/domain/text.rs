use unicode_normalization::UnicodeNormalization;

/// User-entered text after the one normalisation every text field gets: trimmed, NFC
/// (so "å" typed on different phones compares equal), and free of control characters.
/// Multi-line fields may keep line breaks and tabs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CleanText(String);

impl CleanText {
    pub fn normalise(raw: &str) -> String {
        raw.trim().nfc().collect()
    }

    /// Parses normalised text; `multiline` allows `\n`, `\r` and `\t`.
    pub fn parse(raw: &str, multiline: bool) -> Result<CleanText, &'static str> {
        // Checked before trimming, so that what the API documents as forbidden is refused
        // wherever it stands, not silently cut off at the ends.
        let bad = raw.chars().any(|c| {
            c.is_control() && !(multiline && matches!(c, '\n' | '\r' | '\t'))
                || matches!(c, '\u{2028}' | '\u{2029}' | '\u{FEFF}')
        });
        if bad {
            return Err("control_character");
        }
        Ok(CleanText(Self::normalise(raw)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }

    pub fn char_len(&self) -> usize {
        self.0.chars().count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_composes() {
        // "a" + combining ring above → "å"
        let t = CleanText::parse("  Halka vid a\u{030A}n  ", false).unwrap();
        assert_eq!(t.as_str(), "Halka vid ån");
        assert_eq!(t.char_len(), 12);
    }

    #[test]
    fn rejects_control_characters() {
        assert_eq!(
            CleanText::parse("a\u{0007}b", true),
            Err("control_character")
        );
        assert_eq!(CleanText::parse("a\nb", false), Err("control_character"));
        assert!(CleanText::parse("a\nb\tc", true).is_ok());
        assert_eq!(
            CleanText::parse("Halka\u{85}", false),
            Err("control_character")
        );
    }
}
