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
        // One-line fields end up in mail subjects, page titles and lists, where a direction
        // override can make "gpj.exe" read "exe.jpg" and invisible characters make two titles
        // look alike.
        if !multiline && raw.chars().any(is_invisible_or_bidi) {
            return Err("invisible_character");
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

/// Bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069), the
/// direction marks (U+200E, U+200F, U+061C), and invisible spacing and joiners that carry no
/// meaning in a title (U+200B zero-width space, U+2060 word joiner, U+2061–U+2064 invisible
/// operators, U+180E). ZWJ and ZWNJ (U+200C, U+200D) stay: emoji and some scripts need them.
fn is_invisible_or_bidi(c: char) -> bool {
    matches!(
        c,
        '\u{202A}'..='\u{202E}'
            | '\u{2066}'..='\u{2069}'
            | '\u{200E}'
            | '\u{200F}'
            | '\u{061C}'
            | '\u{200B}'
            | '\u{2060}'..='\u{2064}'
            | '\u{180E}'
    )
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

    #[test]
    fn one_line_text_refuses_direction_overrides_and_invisible_characters() {
        for bad in [
            "Faktura\u{202E}gpj.exe",
            "a\u{2066}b\u{2069}",
            "Halka\u{200B}",
            "x\u{200F}y",
        ] {
            assert_eq!(
                CleanText::parse(bad, false),
                Err("invisible_character"),
                "{bad:?}"
            );
        }
        // Emoji sequences with a zero-width joiner are fine, and multi-line text is not a
        // mail subject.
        assert!(CleanText::parse("Brand \u{1F9D1}\u{200D}\u{1F692}", false).is_ok());
        assert!(CleanText::parse("rad ett\u{200B}\nrad två", true).is_ok());
    }
}
