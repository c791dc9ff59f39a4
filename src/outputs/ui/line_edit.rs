//! The text of a one-line prompt and its cursor, edited a character at a time (the
//! prompt's editing keys are keymap rows; this only does what they ask). Bounded, so
//! a stuck key or a paste cannot grow it without limit.

/// Characters a prompt holds at most.
pub const LINE_MAX_CHARS: usize = 256;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LineEdit {
    text: String,
    /// In characters, 0..=len.
    cursor: usize,
}

impl LineEdit {
    pub fn with_text(text: &str) -> LineEdit {
        let text: String = text.chars().take(LINE_MAX_CHARS).collect();
        LineEdit {
            cursor: text.chars().count(),
            text,
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn cursor(&self) -> usize {
        self.cursor
    }

    fn byte_at(&self, char_index: usize) -> usize {
        self.text
            .char_indices()
            .nth(char_index)
            .map_or(self.text.len(), |(b, _)| b)
    }

    fn len(&self) -> usize {
        self.text.chars().count()
    }

    /// False when the line is full (the character is not added).
    pub fn insert(&mut self, c: char) -> bool {
        if self.len() >= LINE_MAX_CHARS {
            return false;
        }
        let at = self.byte_at(self.cursor);
        self.text.insert(at, c);
        self.cursor += 1;
        true
    }

    pub fn delete_back(&mut self) {
        if self.cursor > 0 {
            self.cursor -= 1;
            let at = self.byte_at(self.cursor);
            self.text.remove(at);
        }
    }

    pub fn delete_forward(&mut self) {
        if self.cursor < self.len() {
            let at = self.byte_at(self.cursor);
            self.text.remove(at);
        }
    }

    pub fn left(&mut self) {
        self.cursor = self.cursor.saturating_sub(1);
    }

    pub fn right(&mut self) {
        self.cursor = (self.cursor + 1).min(self.len());
    }

    pub fn home(&mut self) {
        self.cursor = 0;
    }

    pub fn end(&mut self) {
        self.cursor = self.len();
    }

    pub fn clear(&mut self) {
        self.text.clear();
        self.cursor = 0;
    }

    /// Deletes back to the start of the word before the cursor (spaces first).
    pub fn delete_word(&mut self) {
        let chars: Vec<char> = self.text.chars().collect();
        let mut start = self.cursor;
        while start > 0 && chars[start - 1] == ' ' {
            start -= 1;
        }
        while start > 0 && chars[start - 1] != ' ' {
            start -= 1;
        }
        let (from, to) = (self.byte_at(start), self.byte_at(self.cursor));
        self.text.replace_range(from..to, "");
        self.cursor = start;
    }

    pub fn set(&mut self, text: &str) {
        *self = LineEdit::with_text(text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_at_the_cursor() {
        let mut l = LineEdit::with_text("add NFLX");
        l.left();
        l.left();
        l.insert('é');
        assert_eq!((l.text(), l.cursor()), ("add NFéLX", 7));
        l.delete_back();
        l.delete_forward();
        assert_eq!(l.text(), "add NFX");
        l.end();
        l.delete_word();
        assert_eq!((l.text(), l.cursor()), ("add ", 4));
        l.delete_word();
        assert_eq!(l.text(), "");
        l.delete_back();
        l.delete_word();
        l.left();
        assert_eq!((l.text(), l.cursor()), ("", 0));
    }

    #[test]
    fn is_bounded() {
        let mut l = LineEdit::default();
        for _ in 0..LINE_MAX_CHARS {
            assert!(l.insert('x'));
        }
        assert!(!l.insert('y'));
        assert_eq!(l.text().len(), LINE_MAX_CHARS);
    }
}
