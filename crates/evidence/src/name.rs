//! The name a member of the public gave an uploaded file, made safe to keep and show.

/// The longest sanitised file name, in characters.
pub const MAX_FILE_NAME_CHARS: usize = 255;

/// The name used when nothing usable is left of the declared one.
const UNNAMED: &str = "unnamed";

/// The longest extension kept whole when a long name is shortened.
const MAX_KEPT_EXTENSION_CHARS: usize = 16;

/// Makes a declared file name safe to store and display: keeps only the last path component
/// (after any `/` or `\`), removes control characters and invisible or direction-changing
/// format characters (which can disguise `gpj.exe` as `exe.jpg`), trims surrounding white
/// space and shortens it to [`MAX_FILE_NAME_CHARS`] characters, keeping a short extension.
/// A name with nothing left (or only dots) becomes `unnamed`.
///
/// The result is never empty and sanitising it again leaves it unchanged.
///
/// ```
/// use bluelamp_evidence::sanitise_file_name;
/// assert_eq!(sanitise_file_name("C:\\Users\\sam\\IMG_0001.JPG"), "IMG_0001.JPG");
/// assert_eq!(sanitise_file_name("../../etc/passwd"), "passwd");
/// assert_eq!(sanitise_file_name("photo\u{202E}gpj.exe"), "photogpj.exe");
/// assert_eq!(sanitise_file_name(" \n"), "unnamed");
/// ```
#[must_use]
pub fn sanitise_file_name(declared: &str) -> String {
    let last = declared
        .split(['/', '\\'])
        .rev()
        .find(|part| part.chars().any(is_kept))
        .unwrap_or_default();
    let cleaned: String = last.chars().filter(|c| is_kept(*c)).collect();
    let shortened = shorten(cleaned.trim());
    let name = shortened.trim();
    if name.chars().all(|c| c == '.') {
        UNNAMED.to_owned()
    } else {
        name.to_owned()
    }
}

/// Whether a character may stay in a file name.
fn is_kept(c: char) -> bool {
    !c.is_control()
        && !matches!(
            c,
            '\u{00AD}'
                | '\u{061C}'
                | '\u{180E}'
                | '\u{200B}'..='\u{200F}'
                | '\u{2028}'..='\u{202E}'
                | '\u{2060}'..='\u{206F}'
                | '\u{FEFF}'
                | '\u{FFF9}'..='\u{FFFB}'
        )
}

/// Shortens a name to [`MAX_FILE_NAME_CHARS`] characters, cutting the stem rather than a
/// short extension.
fn shorten(name: &str) -> String {
    if name.chars().count() <= MAX_FILE_NAME_CHARS {
        return name.to_owned();
    }
    if let Some((stem, extension)) = name.rsplit_once('.') {
        let extension_chars = extension.chars().count();
        if extension_chars > 0 && extension_chars <= MAX_KEPT_EXTENSION_CHARS {
            let stem_chars = MAX_FILE_NAME_CHARS
                .saturating_sub(extension_chars)
                .saturating_sub(1);
            let stem: String = stem.chars().take(stem_chars).collect();
            return format!("{}.{extension}", stem.trim_end());
        }
    }
    name.chars().take(MAX_FILE_NAME_CHARS).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_components_are_stripped() {
        assert_eq!(sanitise_file_name("a/b/c.jpg"), "c.jpg");
        assert_eq!(sanitise_file_name("a\\b\\c.jpg"), "c.jpg");
        assert_eq!(sanitise_file_name("photos/"), "photos");
        assert_eq!(sanitise_file_name(".."), "unnamed");
        assert_eq!(sanitise_file_name("../.."), "unnamed");
        assert_eq!(sanitise_file_name(""), "unnamed");
        assert_eq!(sanitise_file_name(".hidden.txt"), ".hidden.txt");
    }

    #[test]
    fn control_and_format_characters_are_removed() {
        assert_eq!(sanitise_file_name("a\u{0}b\tc\r\n.jpg"), "abc.jpg");
        assert_eq!(sanitise_file_name("x\u{200B}y\u{FEFF}.png"), "xy.png");
        assert_eq!(sanitise_file_name("x\u{7F}\u{85}y"), "xy");
        assert_eq!(sanitise_file_name("  café photo.jpg  "), "café photo.jpg");
    }

    #[test]
    fn long_names_keep_their_extension() {
        let long = format!("{}.jpeg", "é".repeat(400));
        let short = sanitise_file_name(&long);
        assert_eq!(short.chars().count(), MAX_FILE_NAME_CHARS);
        assert!(short.ends_with(".jpeg"));
        let no_extension = "x".repeat(300);
        assert_eq!(
            sanitise_file_name(&no_extension).chars().count(),
            MAX_FILE_NAME_CHARS
        );
        let spaced = format!("{} x.jpg", "a".repeat(249));
        let cut = sanitise_file_name(&spaced);
        assert_eq!(sanitise_file_name(&cut), cut);
    }

    #[test]
    fn sanitising_is_idempotent() {
        for name in [
            "a/b/c.jpg",
            "  ..  ",
            "x\u{202E}y",
            ". .",
            "a .b",
            &format!("{} .{}", "a".repeat(300), "b".repeat(20)),
        ] {
            let once = sanitise_file_name(name);
            assert_eq!(sanitise_file_name(&once), once, "{name:?}");
            assert!(!once.is_empty());
        }
    }
}
