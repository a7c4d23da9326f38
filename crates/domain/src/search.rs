//! One-box search over POLE records: the index keys of a record, the keys of what someone
//! typed into the search box, and the similarity used to rank what matched.
//!
//! # Keys
//!
//! A record is indexed under short string keys, each a two-letter prefix, a colon and a value:
//!
//! | prefix | what | example |
//! |--------|------|---------|
//! | `ns:` | a surname word, folded ([`fold_text`]) | `ns:obrien` |
//! | `nf:` | a forename, folded | `nf:sean` |
//! | `pn:` | the phonetic code ([`phonetic`]) of a surname word | `pn:SMT` |
//! | `pf:` | the phonetic code of a forename | `pf:JN` |
//! | `pp:` | the phonetic codes of a forename word and a surname word of the same name | `pp:JN.SMT` |
//! | `db:` | a date of birth, ISO | `db:1984-02-29` |
//! | `id:` | a PNC ID, NHS number, NI number or CRO number, letters and digits only | `id:20010012345H` |
//! | `vr:` | a VRM with look-alike characters folded ([`fold_vrm`]) | `vr:A812C0E` |
//! | `pc:` | a postcode without its space | `pc:LE16AB` |
//! | `ps:` | a postcode sector (outward part and the sector digit) | `ps:LE16` |
//! | `ad:` | a word of an address line or town, folded | `ad:high` |
//! | `ev:` | a word of an event summary of 3 or more letters, folded, not a stop word | `ev:shed` |
//!
//! Names of aliases are indexed like the main name. [`search_keys`] gives a record's keys;
//! [`query_keys`] reads a search box and gives the keys to look up, with what it understood.
//! A record matches a query by sharing keys with it; the more it shares, the better.
//!
//! # Stages
//!
//! A common forename or surname alone (`pf:JN`, `pn:SMT`) is shared by tens of thousands of
//! people in a large force, so looking up every key of `john smyth` reads all of them. A query
//! therefore also gives narrower key sets to try first ([`SearchQuery::stages`]):
//!
//! 1. the identifier-like keys (dates of birth, identifiers, marks, postcodes) and the `pp:`
//!    keys of every ordered pair of the first [`PAIR_WORDS`] words, so `john smyth` and
//!    `smyth john` both look up `pp:JN.SMT` and `pp:SMT.JN`;
//! 2. every key except the forename keys (`pf:`, `nf:`);
//! 3. every key.
//!
//! A stage is only given when it differs from the next one; the caller looks up each in turn
//! and stops at the first that finds enough records.
//!
//! [`KEY_SCHEME`] numbers this set of keys: a store whose index was written under an older
//! scheme rebuilds it.
//!
//! # Phonetic code
//!
//! [`phonetic`] is Bluelamp's own encoding, close in spirit to Soundex but keeping more
//! consonants apart. On the folded word (ASCII letters only):
//!
//! 1. spelling rewrites, longest first: initial `kn`, `gn`, `pn`, `wr`, `ps` lose their
//!    silent first letter; initial `x` → `s`; `sch` → `sk`; `ch` before `r` → `k`; `tch`, `ch`,
//!    `sh` → `x` (a "sh" sound, code `X`); `ph` → `f`; `th` → `t`; `ck` → `k`; `dg` → `j`;
//!    `gh` → nothing; `mb` at the end → `m`; `mps` → `ms`; `c` before `e`, `i` or `y` → `s`, otherwise `k`;
//!    `q` → `k`; `x` → `ks`; `z` → `s`; `v` → `f`;
//! 2. the first letter is kept (a vowel as itself);
//! 3. after it, vowels and `h`, `w`, `y` are dropped;
//! 4. runs of the same letter collapse to one (also across dropped letters);
//! 5. the code is uppercase and at most 6 letters.
//!
//! So Smith and Smyth are `SMT`, Catherine and Kathryn `KTRN`, Stephen and Steven `STFN`,
//! Mohammed and Muhammad `MD`, Jon and John `JN`.
//!
//! # VRM folding
//!
//! [`fold_vrm`] uppercases, drops everything but letters and digits, and maps characters a
//! camera or a witness confuses onto one: `O`, `Q`, `D` → `0`; `I`, `L` → `1`; `Z` → `2`;
//! `S` → `5`; `G` → `6`; `B` → `8`. Two marks that differ only by such misreads share their key.
//!
//! # Ranking
//!
//! [`jaro_winkler`] is the Jaro-Winkler similarity (prefix scale 0.1, prefix of at most 4),
//! which the application uses to order people with the same number of matching keys.

use chrono::NaiveDate;

use crate::event::Event;
use crate::location::Location;
use crate::object::Object;
use crate::person::{Person, PersonIdentifier};
use crate::record::RecordBody;
use crate::values::{
    CroNumber, DateOfBirth, NationalInsuranceNumber, NhsNumber, PersonName, PncId, Postcode, Vrm,
};

/// Longest phonetic code.
const PHONETIC_MAX: usize = 6;

/// The version of the keys [`search_keys`] gives. It goes up whenever a record's keys change
/// (2 added the `pp:` name-pair keys), so that stores rebuild indexes written under an older
/// one.
pub const KEY_SCHEME: u32 = 2;

/// How many of the words typed are paired with each other for `pp:` keys (every ordered pair
/// of them, so at most 12 keys).
pub const PAIR_WORDS: usize = 4;

/// Words of event summaries and queries that are never keys: too common to tell events apart.
const STOP_WORDS: &[&str] = &[
    "about", "after", "all", "also", "and", "any", "are", "been", "but", "can", "did", "for",
    "from", "had", "has", "have", "her", "him", "his", "into", "its", "not", "now", "off", "one",
    "our", "out", "she", "than", "that", "the", "their", "them", "then", "there", "they", "this",
    "two", "was", "were", "what", "when", "which", "who", "with", "you", "your",
];

/// Folds text for matching: lowercase, accents and ligatures of Latin letters removed (`é` →
/// `e`, `ß` → `ss`, `æ` → `ae`), apostrophes dropped (`O'Brien` → `obrien`), every other
/// character that is not a letter or digit becomes a space, and runs of spaces become one.
/// Folding is idempotent.
#[must_use]
pub fn fold_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\'' | '\u{2019}' | '\u{2018}' | '`') {
            continue;
        }
        for lower in c.to_lowercase() {
            match fold_char(lower) {
                Some(folded) => out.push_str(folded),
                None if lower.is_ascii_alphanumeric() => out.push(lower),
                None => out.push(' '),
            }
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The words of `text` after [`fold_text`].
fn fold_words(text: &str) -> Vec<String> {
    fold_text(text)
        .split(' ')
        .filter(|word| !word.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The ASCII spelling of an accented lowercase Latin letter.
fn fold_char(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => "c",
        'ď' | 'đ' | 'ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => "e",
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => "g",
        'ĥ' | 'ħ' => "h",
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' => "i",
        'ĵ' => "j",
        'ķ' => "k",
        'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' => "l",
        'ñ' | 'ń' | 'ņ' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ' | 'ő' => "o",
        'œ' => "oe",
        'ŕ' | 'ŗ' | 'ř' => "r",
        'ś' | 'ŝ' | 'ş' | 'š' | 'ș' => "s",
        'ß' => "ss",
        'ţ' | 'ť' | 'ŧ' | 'ț' => "t",
        'þ' => "th",
        'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => "u",
        'ŵ' => "w",
        'ý' | 'ÿ' | 'ŷ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        _ => return None,
    })
}

/// Bluelamp's phonetic code of one word (see the module documentation): empty when the word
/// has no letters.
#[must_use]
pub fn phonetic(word: &str) -> String {
    let letters: Vec<char> = fold_text(word)
        .chars()
        .filter(char::is_ascii_lowercase)
        .collect();
    let sounds = rewrite(&letters);
    let mut code = String::new();
    let mut last: Option<char> = None;
    for (position, sound) in sounds.into_iter().enumerate() {
        let silent = matches!(sound, 'a' | 'e' | 'i' | 'o' | 'u' | 'h' | 'w' | 'y');
        if position == 0 {
            code.push(sound.to_ascii_uppercase());
            last = Some(sound);
            continue;
        }
        if silent {
            continue;
        }
        if last == Some(sound) {
            continue;
        }
        code.push(sound.to_ascii_uppercase());
        last = Some(sound);
        if code.len() >= PHONETIC_MAX {
            break;
        }
    }
    code
}

/// Step 1 of [`phonetic`]: spelling rewrites into a sequence of sounds (lowercase letters,
/// `x` standing for "sh").
fn rewrite(letters: &[char]) -> Vec<char> {
    let mut rest = letters;
    let mut out = Vec::with_capacity(letters.len());
    // Silent initial letters.
    for prefix in [['k', 'n'], ['g', 'n'], ['p', 'n'], ['w', 'r'], ['p', 's']] {
        if rest.starts_with(&prefix) {
            rest = rest.get(1..).unwrap_or_default();
            break;
        }
    }
    if let Some(('x', tail)) = rest.split_first().map(|(c, tail)| (*c, tail)) {
        out.push('s');
        rest = tail;
    }
    while let Some((&c, tail)) = rest.split_first() {
        let next = tail.first().copied();
        let after = tail.get(1).copied();
        let (sounds, used): (&[char], usize) = match (c, next, after) {
            ('s', Some('c'), Some('h')) => (&['s', 'k'], 3),
            ('m', Some('p'), Some('s')) => (&['m', 's'], 3),
            ('t', Some('c'), Some('h')) => (&['x'], 3),
            ('c', Some('h'), Some('r')) => (&['k'], 2),
            ('c', Some('h'), _) | ('s', Some('h'), _) => (&['x'], 2),
            ('p', Some('h'), _) => (&['f'], 2),
            ('t', Some('h'), _) => (&['t'], 2),
            ('c', Some('k'), _) => (&['k'], 2),
            ('d', Some('g'), _) => (&['j'], 2),
            ('g', Some('h'), _) => (&[], 2),
            ('m', Some('b'), None) => (&['m'], 2),
            ('c', Some('e' | 'i' | 'y'), _) => (&['s'], 1),
            ('c' | 'q', _, _) => (&['k'], 1),
            ('x', _, _) => (&['k', 's'], 1),
            ('z', _, _) => (&['s'], 1),
            ('v', _, _) => (&['f'], 1),
            _ => (&[], 0),
        };
        if used == 0 {
            out.push(c);
            rest = tail;
        } else {
            out.extend_from_slice(sounds);
            rest = rest.get(used..).unwrap_or_default();
        }
    }
    out
}

/// Folds a VRM for matching (see the module documentation): uppercase letters and digits
/// only, look-alike characters mapped onto one. Idempotent.
#[must_use]
pub fn fold_vrm(text: &str) -> String {
    text.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| match c.to_ascii_uppercase() {
            'O' | 'Q' | 'D' => '0',
            'I' | 'L' => '1',
            'Z' => '2',
            'S' => '5',
            'G' => '6',
            'B' => '8',
            other => other,
        })
        .collect()
}

/// Letters and digits of `text`, uppercase: how identifiers are keyed.
fn compact(text: &str) -> String {
    text.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// The Jaro-Winkler similarity of two strings, from 0.0 (nothing alike) to 1.0 (equal),
/// compared character by character as given (fold first for a case-blind comparison).
#[must_use]
pub fn jaro_winkler(a: &str, b: &str) -> f64 {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let jaro = jaro(&a, &b);
    let prefix = a.iter().zip(&b).take(4).take_while(|(x, y)| x == y).count();
    let prefix = f64::from(u32::try_from(prefix).unwrap_or(0));
    jaro + prefix * 0.1 * (1.0 - jaro)
}

/// The Jaro similarity.
fn jaro(a: &[char], b: &[char]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let window = (a.len().max(b.len()) / 2).saturating_sub(1);
    let mut b_used = vec![false; b.len()];
    let mut a_matched = Vec::with_capacity(a.len());
    for (i, ca) in a.iter().enumerate() {
        let start = i.saturating_sub(window);
        let end = i.saturating_add(window).saturating_add(1).min(b.len());
        for j in start..end {
            let free = b_used.get(j).is_some_and(|used| !used);
            if free && b.get(j) == Some(ca) {
                if let Some(used) = b_used.get_mut(j) {
                    *used = true;
                }
                a_matched.push(*ca);
                break;
            }
        }
    }
    if a_matched.is_empty() {
        return 0.0;
    }
    let b_matched = b
        .iter()
        .zip(&b_used)
        .filter(|(_, used)| **used)
        .map(|(c, _)| *c);
    let half_transpositions = a_matched
        .iter()
        .zip(b_matched)
        .filter(|(x, y)| **x != *y)
        .count();
    let m = count_f64(a_matched.len());
    let t = count_f64(half_transpositions) / 2.0;
    (m / count_f64(a.len()) + m / count_f64(b.len()) + (m - t) / m) / 3.0
}

/// A small count as a float.
fn count_f64(n: usize) -> f64 {
    f64::from(u32::try_from(n).unwrap_or(u32::MAX))
}

/// The search keys of a record body (see the module documentation), without duplicates, in a
/// stable order.
#[must_use]
pub fn search_keys(body: &RecordBody) -> Vec<String> {
    let mut keys = Vec::new();
    match body {
        RecordBody::Person(person) => person_keys(person, &mut keys),
        RecordBody::Object(object) => object_keys(object, &mut keys),
        RecordBody::Location(location) => location_keys(location, &mut keys),
        RecordBody::Event(event) => event_keys(event, &mut keys),
    }
    dedup(keys)
}

/// Removes repeated keys, keeping the first of each.
fn dedup(keys: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::with_capacity(keys.len());
    keys.into_iter()
        .filter(|key| seen.insert(key.clone()))
        .collect()
}

fn name_keys(name: &PersonName, keys: &mut Vec<String>) {
    let surnames = fold_words(name.surname());
    for word in &surnames {
        keys.push(format!("pn:{}", phonetic(word)));
        keys.push(format!("ns:{word}"));
    }
    for forename in name.forenames() {
        for word in fold_words(forename) {
            let code = phonetic(&word);
            for surname in &surnames {
                keys.push(pair_key(&code, &phonetic(surname)));
            }
            keys.push(format!("pf:{code}"));
            keys.push(format!("nf:{word}"));
        }
    }
}

/// The `pp:` key of a forename word's and a surname word's phonetic codes.
fn pair_key(forename: &str, surname: &str) -> String {
    format!("pp:{forename}.{surname}")
}

/// The key of a person identifier.
#[must_use]
pub fn identifier_key(identifier: &PersonIdentifier) -> String {
    let value = match identifier {
        PersonIdentifier::Pnc(pnc) => compact(&pnc.to_string()),
        PersonIdentifier::Nhs(nhs) => compact(nhs.as_str()),
        PersonIdentifier::Nino(nino) => compact(nino.as_str()),
        PersonIdentifier::Cro(cro) => compact(cro.as_str()),
    };
    format!("id:{value}")
}

fn person_keys(person: &Person, keys: &mut Vec<String>) {
    name_keys(&person.name, keys);
    for alias in &person.aliases {
        name_keys(alias, keys);
    }
    if let Some(dob) = person.date_of_birth {
        keys.push(format!("db:{dob}"));
    }
    keys.extend(person.identifiers.iter().map(identifier_key));
}

fn object_keys(object: &Object, keys: &mut Vec<String>) {
    match object {
        Object::Vehicle(vehicle) => keys.push(format!("vr:{}", fold_vrm(vehicle.vrm.as_str()))),
        Object::Property(property) => {
            keys.extend(
                property
                    .serial_numbers
                    .iter()
                    .map(|serial| format!("id:{}", compact(&serial.to_string()))),
            );
        }
        Object::Evidence(_) => {}
    }
}

/// The sector of a postcode: outward part and the first character of the inward part.
fn sector(postcode: &Postcode) -> String {
    let digit: String = postcode.inward().chars().take(1).collect();
    format!("{}{digit}", postcode.outward())
}

fn location_keys(location: &Location, keys: &mut Vec<String>) {
    let Some(address) = location.address() else {
        return;
    };
    if let Some(postcode) = address.postcode() {
        keys.push(format!("pc:{}", compact(postcode.as_str())));
        keys.push(format!("ps:{}", sector(postcode)));
    }
    let lines = address.lines().iter().map(String::as_str);
    for text in lines.chain(address.town()) {
        keys.extend(
            fold_words(text)
                .into_iter()
                .map(|word| format!("ad:{word}")),
        );
    }
}

/// Whether a folded word is worth an `ev:` key.
fn event_word(word: &str) -> bool {
    word.chars().filter(char::is_ascii_alphabetic).count() >= 3 && !STOP_WORDS.contains(&word)
}

fn event_keys(event: &Event, keys: &mut Vec<String>) {
    keys.extend(
        fold_words(event.summary().as_str())
            .into_iter()
            .filter(|word| event_word(word))
            .map(|word| format!("ev:{word}")),
    );
}

/// One thing [`query_keys`] recognised in the search box.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueryTerm {
    /// A date, looked for as a date of birth.
    DateOfBirth(DateOfBirth),
    /// A full postcode.
    Postcode(Postcode),
    /// A postcode sector such as `LE1 6`, compact (`LE16`).
    PostcodeSector(String),
    /// A vehicle registration mark, folded ([`fold_vrm`]), with the text as typed (compact).
    Vrm {
        /// The mark as typed, uppercase without spaces.
        typed: String,
        /// The folded mark.
        folded: String,
    },
    /// An NHS number.
    NhsNumber(NhsNumber),
    /// A National Insurance number.
    NationalInsuranceNumber(NationalInsuranceNumber),
    /// A PNC ID.
    PncId(PncId),
    /// A CRO number.
    CroNumber(CroNumber),
    /// Any other word, folded: looked for in names (spelt and phonetic), addresses and event
    /// summaries.
    Word(String),
}

impl core::fmt::Display for QueryTerm {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::DateOfBirth(dob) => write!(f, "date of birth {dob}"),
            Self::Postcode(postcode) => write!(f, "postcode {postcode}"),
            Self::PostcodeSector(sector) => write!(f, "postcode sector {sector}"),
            Self::Vrm { typed, .. } => {
                write!(f, "registration mark {typed} (allowing for misreads)")
            }
            Self::NhsNumber(nhs) => write!(f, "NHS number {nhs}"),
            Self::NationalInsuranceNumber(nino) => write!(f, "National Insurance number {nino}"),
            Self::PncId(pnc) => write!(f, "PNC ID {pnc}"),
            Self::CroNumber(cro) => write!(f, "CRO number {}", cro.as_str()),
            Self::Word(word) => write!(f, "word \"{word}\""),
        }
    }
}

/// What a search box was read as: the keys to look up and the terms recognised, in the order
/// typed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SearchQuery {
    /// Index keys to look up (no duplicates).
    pub keys: Vec<String>,
    /// Narrower sets of [`Self::keys`] to look up first, narrowest first (see the module
    /// documentation); empty when there is nothing narrower.
    pub narrower: Vec<Vec<String>>,
    /// What was recognised.
    pub terms: Vec<QueryTerm>,
}

impl SearchQuery {
    /// True when nothing searchable was found.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The key sets to look up in turn, narrowest first, ending with [`Self::keys`].
    pub fn stages(&self) -> impl Iterator<Item = &[String]> {
        self.narrower
            .iter()
            .map(Vec::as_slice)
            .chain(std::iter::once(self.keys.as_slice()))
    }

    /// The words (folded) that are looked for in names.
    #[must_use]
    pub fn words(&self) -> Vec<&str> {
        self.terms
            .iter()
            .filter_map(|term| match term {
                QueryTerm::Word(word) => Some(word.as_str()),
                _ => None,
            })
            .collect()
    }

    /// A short description of what was understood, e.g.
    /// `date of birth 1984-02-29; word "smith"`.
    #[must_use]
    pub fn describe(&self) -> String {
        self.terms
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// Longest search box text read, in characters; the rest is ignored.
pub const MAX_QUERY_CHARS: usize = 200;

/// Reads one search box. Dates in UK forms (`29/02/1984`, `29-02-1984`, `29.02.1984`,
/// `29 Feb 1984`, `29 February 1984`, ISO `1984-02-29`; four-digit years only) are dates of
/// birth; postcodes (with or without the space), postcode sectors (`LE1 6`), registration
/// marks (one or two groups with letters and digits, misreads allowed), NHS numbers (also
/// `943 476 5919`), National Insurance numbers (also spaced), PNC IDs and CRO numbers become
/// their keys; every other word becomes name, address and event-summary keys. Only the first
/// [`MAX_QUERY_CHARS`] characters are read.
#[must_use]
pub fn query_keys(text: &str) -> SearchQuery {
    let text: String = text.chars().take(MAX_QUERY_CHARS).collect();
    let tokens: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
        .filter(|token| !token.is_empty())
        .collect();
    let mut terms = Vec::new();
    let mut rest: &[&str] = &tokens;
    while !rest.is_empty() {
        let (found, used) = recognise(rest);
        terms.extend(found);
        rest = rest.get(used.max(1)..).unwrap_or_default();
    }
    let mut keys = Vec::new();
    let mut structured = Vec::new();
    for term in &terms {
        term_keys(term, &mut keys);
        if !matches!(term, QueryTerm::Word(_)) {
            term_keys(term, &mut structured);
        }
    }
    let codes: Vec<String> = terms
        .iter()
        .filter_map(|term| match term {
            QueryTerm::Word(word) => Some(phonetic(word)),
            _ => None,
        })
        .filter(|code| !code.is_empty())
        .take(PAIR_WORDS)
        .collect();
    let mut pairs = Vec::new();
    for (i, first) in codes.iter().enumerate() {
        for (j, second) in codes.iter().enumerate() {
            if i != j {
                pairs.push(pair_key(first, second));
            }
        }
    }
    let pairs = dedup(pairs);
    keys.extend(pairs.iter().cloned());
    let keys = dedup(keys);
    SearchQuery {
        narrower: narrower_stages(&keys, structured, &pairs),
        keys,
        terms,
    }
}

/// The stages narrower than all of `keys`: the structured keys with the name pairs (when
/// there are words besides them), then, when words were paired, everything but the forename
/// keys.
fn narrower_stages(keys: &[String], structured: Vec<String>, pairs: &[String]) -> Vec<Vec<String>> {
    let has_words = keys
        .iter()
        .any(|key| !structured.contains(key) && !pairs.contains(key));
    if !has_words {
        return Vec::new();
    }
    let mut stages = Vec::new();
    let mut first = dedup(structured);
    first.extend(pairs.iter().cloned());
    if !first.is_empty() {
        stages.push(first);
    }
    if !pairs.is_empty() {
        stages.push(
            keys.iter()
                .filter(|key| !key.starts_with("pf:") && !key.starts_with("nf:"))
                .cloned()
                .collect(),
        );
    }
    stages
}

/// Recognises a term at the start of `tokens`: what it is and how many tokens it took.
fn recognise(tokens: &[&str]) -> (Vec<QueryTerm>, usize) {
    // Longest spans first: a NINO may be typed in five groups, a date in three words.
    for span in (1..=tokens.len().min(5)).rev() {
        let Some(group) = tokens.get(..span) else {
            continue;
        };
        if let Some(term) = structured(group) {
            return (vec![term], span);
        }
    }
    let Some(first) = tokens.first() else {
        return (Vec::new(), 1);
    };
    let words = fold_words(first).into_iter().map(QueryTerm::Word).collect();
    (words, 1)
}

/// A structured value made of exactly these tokens, if any.
fn structured(group: &[&str]) -> Option<QueryTerm> {
    let joined = group.concat();
    let spaced = group.join(" ");
    let span = group.len();
    if let Some(dob) = parse_uk_date(&spaced) {
        return Some(QueryTerm::DateOfBirth(dob));
    }
    if span <= 5
        && let Ok(nino) = NationalInsuranceNumber::parse(&joined)
    {
        return Some(QueryTerm::NationalInsuranceNumber(nino));
    }
    if (span == 1 || span == 3)
        && joined.len() == 10
        && let Ok(nhs) = NhsNumber::parse(&joined)
    {
        return Some(QueryTerm::NhsNumber(nhs));
    }
    if span > 2 {
        return None;
    }
    if let Ok(postcode) = Postcode::parse(&joined) {
        return Some(QueryTerm::Postcode(postcode));
    }
    if span == 2 {
        if let Some(sector) = parse_sector(group) {
            return Some(QueryTerm::PostcodeSector(sector));
        }
        return looks_like_vrm(&joined, group).then(|| vrm_term(&joined));
    }
    if joined.contains('/') {
        if let Ok(pnc) = PncId::parse(&joined) {
            return Some(QueryTerm::PncId(pnc));
        }
        if let Ok(cro) = CroNumber::parse(&joined) {
            return Some(QueryTerm::CroNumber(cro));
        }
        return None;
    }
    looks_like_vrm(&joined, group).then(|| vrm_term(&joined))
}

fn vrm_term(joined: &str) -> QueryTerm {
    QueryTerm::Vrm {
        typed: compact(joined),
        folded: fold_vrm(joined),
    }
}

/// `LE1 6`: a valid outward part and one digit.
fn parse_sector(group: &[&str]) -> Option<String> {
    let [outward, digit] = group else {
        return None;
    };
    let is_digit = digit.len() == 1 && digit.chars().all(|c| c.is_ascii_digit());
    if !is_digit || outward.len() < 2 {
        return None;
    }
    // A sector is valid when the postcode `<outward> <digit>AA` is.
    let postcode = Postcode::parse(&format!("{outward} {digit}AA")).ok()?;
    Some(compact(&format!("{} {digit}", postcode.outward())))
}

/// Whether the tokens look like one registration mark: letters and digits only, 2 to 7 of
/// them, with at least one letter and one digit; two tokens must also make a mark of a UK
/// style once misreads at letter and digit positions are corrected, or each hold a digit.
fn looks_like_vrm(joined: &str, group: &[&str]) -> bool {
    let len = joined.chars().count();
    let alnum = joined.chars().all(|c| c.is_ascii_alphanumeric());
    let letters = joined.chars().any(|c| c.is_ascii_alphabetic());
    let digits = joined.chars().any(|c| c.is_ascii_digit());
    if !(alnum && letters && digits && (2..=7).contains(&len)) {
        return false;
    }
    if group.len() == 1 {
        return true;
    }
    Vrm::parse(joined).is_ok()
        || Vrm::parse(&coerce_current(joined)).is_ok()
        || group
            .iter()
            .all(|token| token.chars().any(|c| c.is_ascii_digit()))
}

/// Reads a 7-character mark as current style (`AA99AAA`): digits in letter positions and
/// letters in digit positions are swapped for their look-alikes.
fn coerce_current(mark: &str) -> String {
    mark.chars()
        .enumerate()
        .map(|(i, c)| {
            let c = c.to_ascii_uppercase();
            if i == 2 || i == 3 {
                match c {
                    'O' | 'Q' | 'D' => '0',
                    'I' | 'L' => '1',
                    'Z' => '2',
                    'S' => '5',
                    'G' => '6',
                    'B' => '8',
                    other => other,
                }
            } else {
                match c {
                    '0' => 'O',
                    '1' => 'I',
                    '2' => 'Z',
                    '5' => 'S',
                    '6' => 'G',
                    '8' => 'B',
                    other => other,
                }
            }
        })
        .collect()
}

/// A date in one of the UK forms [`query_keys`] accepts.
fn parse_uk_date(text: &str) -> Option<DateOfBirth> {
    let words: Vec<&str> = text.split(' ').collect();
    let date = match words.as_slice() {
        [one] => {
            let parts: Vec<&str> = one.split(['/', '-', '.']).collect();
            match parts.as_slice() {
                [y, m, d] if y.len() == 4 && one.contains('-') => numeric_date(y, m, d)?,
                [d, m, y] if y.len() == 4 => numeric_date(y, m, d)?,
                _ => return None,
            }
        }
        [d, month, y] if y.len() == 4 => {
            let month = month_number(month)?;
            let y: i32 = y.parse().ok()?;
            let d: u32 = d.parse().ok()?;
            NaiveDate::from_ymd_opt(y, month, d)?
        }
        _ => return None,
    };
    DateOfBirth::new(date).ok()
}

fn numeric_date(y: &str, m: &str, d: &str) -> Option<NaiveDate> {
    let all_digits = |s: &str| (1..=2).contains(&s.len()) && s.chars().all(|c| c.is_ascii_digit());
    if !(all_digits(m) && all_digits(d) && y.chars().all(|c| c.is_ascii_digit())) {
        return None;
    }
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

fn month_number(name: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let name = name.to_ascii_lowercase();
    let prefix = name.get(..3)?;
    let index = MONTHS.iter().position(|m| *m == prefix)?;
    let full = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let ok = name.len() == 3
        || full.get(index).is_some_and(|f| *f == name)
        || (name == "sept" && index == 8);
    if !ok {
        return None;
    }
    u32::try_from(index).ok()?.checked_add(1)
}

fn term_keys(term: &QueryTerm, keys: &mut Vec<String>) {
    match term {
        QueryTerm::DateOfBirth(dob) => keys.push(format!("db:{dob}")),
        QueryTerm::Postcode(postcode) => keys.push(format!("pc:{}", compact(postcode.as_str()))),
        QueryTerm::PostcodeSector(sector) => keys.push(format!("ps:{sector}")),
        QueryTerm::Vrm { folded, .. } => keys.push(format!("vr:{folded}")),
        QueryTerm::NhsNumber(nhs) => {
            keys.push(identifier_key(&PersonIdentifier::Nhs(nhs.clone())));
        }
        QueryTerm::NationalInsuranceNumber(nino) => {
            keys.push(identifier_key(&PersonIdentifier::Nino(nino.clone())));
        }
        QueryTerm::PncId(pnc) => keys.push(identifier_key(&PersonIdentifier::Pnc(*pnc))),
        QueryTerm::CroNumber(cro) => {
            keys.push(identifier_key(&PersonIdentifier::Cro(cro.clone())));
        }
        QueryTerm::Word(word) => {
            let code = phonetic(word);
            if !code.is_empty() {
                keys.push(format!("pn:{code}"));
                keys.push(format!("pf:{code}"));
            }
            if word.chars().any(|c| c.is_ascii_alphabetic()) {
                keys.push(format!("ns:{word}"));
                keys.push(format!("nf:{word}"));
            }
            keys.push(format!("ad:{word}"));
            if event_word(word) {
                keys.push(format!("ev:{word}"));
            }
        }
    }
}

/// A one-line summary of a record body for a list of results, e.g.
/// `John SMITH, born 1984-02-29`, `Vehicle AB12 CDE, red Ford Focus`,
/// `1 High St, Leicester, LE1 6AB`, `Crime report 2025-01-02: Shed broken into`.
#[must_use]
pub fn summary(body: &RecordBody) -> String {
    match body {
        RecordBody::Person(person) => {
            let mut line = person.name.forenames().join(" ");
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(&person.name.surname().to_uppercase());
            if let Some(dob) = person.date_of_birth {
                line.push_str(&format!(", born {dob}"));
            }
            line
        }
        RecordBody::Object(Object::Vehicle(vehicle)) => {
            let details: Vec<&str> = [&vehicle.colour, &vehicle.make, &vehicle.model]
                .into_iter()
                .flatten()
                .map(|text| text.as_str())
                .collect();
            if details.is_empty() {
                format!("Vehicle {}", vehicle.vrm)
            } else {
                format!("Vehicle {}, {}", vehicle.vrm, details.join(" "))
            }
        }
        RecordBody::Object(Object::Property(property)) => {
            format!(
                "Property: {}",
                first_chars(property.description.as_str(), 80)
            )
        }
        RecordBody::Object(Object::Evidence(file)) => {
            format!("Evidence file {}", file.file_name.as_str())
        }
        RecordBody::Location(location) => match location.address() {
            Some(address) => {
                let mut parts: Vec<String> = address.lines().to_vec();
                parts.extend(address.town().map(str::to_owned));
                parts.extend(address.postcode().map(ToString::to_string));
                parts.join(", ")
            }
            None => location
                .point()
                .map(|p| format!("Point {:.5}, {:.5}", p.lat(), p.lon()))
                .unwrap_or_default(),
        },
        RecordBody::Event(event) => {
            let kind = match event.kind() {
                crate::event::EventKind::Incident => "Incident",
                crate::event::EventKind::CrimeReport => "Crime report",
            };
            format!(
                "{kind} {}: {}",
                event.occurred_from().date_naive(),
                first_chars(event.summary().as_str(), 80)
            )
        }
    }
}

/// The first `n` characters of `text`, with an ellipsis when cut.
fn first_chars(text: &str, n: usize) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= n {
        return line;
    }
    let mut cut: String = line.chars().take(n).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::EventKind;
    use crate::location::Address;
    use crate::object::Vehicle;
    use crate::values::FreeText;
    use proptest::prelude::*;
    use rstest::rstest;

    fn person(forenames: &[&str], surname: &str) -> Person {
        Person::named(PersonName::new(forenames, surname).unwrap())
    }

    #[rstest]
    #[case("Smith", "Smyth")]
    #[case("Catherine", "Kathryn")]
    #[case("Stephen", "Steven")]
    #[case("Mohammed", "Muhammad")]
    #[case("Jon", "John")]
    #[case("Thompson", "Thomson")]
    #[case("MacDonald", "McDonald")]
    #[case("Philips", "Phillips")]
    #[case("Claire", "Clare")]
    fn phonetic_groups(#[case] a: &str, #[case] b: &str) {
        assert_eq!(phonetic(a), phonetic(b), "{a} / {b}");
        assert!(!phonetic(a).is_empty());
    }

    #[rstest]
    #[case("Smith", "SMT")]
    #[case("Catherine", "KTRN")]
    #[case("Stephen", "STFN")]
    #[case("Mohammed", "MD")]
    #[case("John", "JN")]
    #[case("Knight", "NT")]
    #[case("Schmidt", "SKMDT")]
    #[case("", "")]
    fn phonetic_codes(#[case] word: &str, #[case] code: &str) {
        assert_eq!(phonetic(word), code);
    }

    #[test]
    fn phonetic_keeps_different_names_apart() {
        assert_ne!(phonetic("Smith"), phonetic("Jones"));
        assert_ne!(phonetic("Patel"), phonetic("Taylor"));
        assert_ne!(phonetic("Brown"), phonetic("Green"));
    }

    #[test]
    fn folding() {
        assert_eq!(fold_text("  Zoë O'Brien-Müller "), "zoe obrien muller");
        assert_eq!(fold_text("STRAßE Æthel"), "strasse aethel");
        assert_eq!(fold_vrm("ab12 cde"), "A812C0E");
        assert_eq!(fold_vrm("A812C0E"), "A812C0E");
    }

    #[test]
    fn jaro_winkler_known_values() {
        assert!((jaro_winkler("martha", "marhta") - 0.961).abs() < 0.001);
        assert!((jaro_winkler("dwayne", "duane") - 0.84).abs() < 0.001);
        assert!((jaro_winkler("dixon", "dicksonx") - 0.813).abs() < 0.001);
        assert_eq!(jaro_winkler("smith", "smith"), 1.0);
        assert_eq!(jaro_winkler("", ""), 1.0);
        assert_eq!(jaro_winkler("abc", ""), 0.0);
        assert_eq!(jaro_winkler("abc", "xyz"), 0.0);
    }

    #[test]
    fn person_keys_cover_names_aliases_dob_and_ids() {
        let mut p = person(&["Seán", "Paul"], "O'Brien-Smith");
        p.aliases.push(PersonName::new(["Jon"], "Smyth").unwrap());
        p.date_of_birth = Some(DateOfBirth::parse("1984-02-29").unwrap());
        p.identifiers.push(PersonIdentifier::Pnc(
            PncId::parse("2001/0012345H").unwrap(),
        ));
        p.identifiers.push(PersonIdentifier::Nhs(
            NhsNumber::parse("9434765919").unwrap(),
        ));
        let keys = search_keys(&RecordBody::Person(p));
        for key in [
            "ns:obrien",
            "ns:smith",
            "pn:SMT",
            "nf:sean",
            "nf:paul",
            "pf:JN",
            "ns:smyth",
            "pp:SN.SMT",
            "pp:PL.OBRN",
            "pp:JN.SMT",
            "db:1984-02-29",
            "id:20010012345H",
            "id:9434765919",
        ] {
            assert!(keys.iter().any(|k| k == key), "{key} missing from {keys:?}");
        }
        assert_eq!(
            keys.iter().filter(|k| *k == "pn:SMT").count(),
            1,
            "no duplicates"
        );
    }

    #[test]
    fn vehicle_location_event_keys() {
        let vehicle = RecordBody::Object(Object::Vehicle(Vehicle {
            vrm: Vrm::parse("AB12 CDE").unwrap(),
            make: None,
            model: None,
            colour: None,
        }));
        assert_eq!(search_keys(&vehicle), ["vr:A812C0E"]);
        let address = Address::new(
            vec!["1 High Street".into()],
            Some("Leicester".into()),
            Postcode::parse("LE1 6AB").ok(),
        )
        .unwrap();
        let location = RecordBody::Location(Location::new(Some(address), None, None).unwrap());
        assert_eq!(
            search_keys(&location),
            [
                "pc:LE16AB",
                "ps:LE16",
                "ad:1",
                "ad:high",
                "ad:street",
                "ad:leicester"
            ]
        );
        let event = RecordBody::Event(
            Event::new(
                EventKind::CrimeReport,
                FreeText::parse("The shed was broken into and a bike taken").unwrap(),
                "2025-01-02T10:00:00Z".parse().unwrap(),
                None,
                None,
            )
            .unwrap(),
        );
        assert_eq!(
            search_keys(&event),
            ["ev:shed", "ev:broken", "ev:bike", "ev:taken"]
        );
    }

    #[rstest]
    #[case("29/02/1984", "date of birth 1984-02-29")]
    #[case("1984-02-29", "date of birth 1984-02-29")]
    #[case("29.2.1984", "date of birth 1984-02-29")]
    #[case("29 Feb 1984", "date of birth 1984-02-29")]
    #[case("29 february 1984", "date of birth 1984-02-29")]
    #[case("le16ab", "postcode LE1 6AB")]
    #[case("LE1 6AB", "postcode LE1 6AB")]
    #[case("LE1 6", "postcode sector LE16")]
    #[case("AB12 CDE", "registration mark AB12CDE (allowing for misreads)")]
    #[case("A812 C0E", "registration mark A812C0E (allowing for misreads)")]
    #[case("943 476 5919", "NHS number 943 476 5919")]
    #[case("JG 10 37 59 A", "National Insurance number JG 10 37 59 A")]
    #[case("2001/0012345H", "PNC ID 2001/0012345H")]
    #[case("Smyth", "word \"smyth\"")]
    fn query_terms(#[case] text: &str, #[case] understood: &str) {
        let query = query_keys(text);
        assert_eq!(query.describe(), understood, "{query:?}");
    }

    #[test]
    fn query_mixes_terms() {
        let query = query_keys("john smyth 29/02/1984");
        assert_eq!(
            query.describe(),
            "word \"john\"; word \"smyth\"; date of birth 1984-02-29"
        );
        assert!(query.keys.iter().any(|k| k == "pn:SMT"));
        assert!(query.keys.iter().any(|k| k == "pf:JN"));
        assert!(query.keys.iter().any(|k| k == "db:1984-02-29"));
        assert_eq!(query.words(), ["john", "smyth"]);
        let stages: Vec<&[String]> = query.stages().collect();
        assert_eq!(
            stages.first().copied(),
            Some(&["db:1984-02-29", "pp:JN.SMT", "pp:SMT.JN"].map(String::from)[..])
        );
        let second = stages.get(1).copied().unwrap_or_default();
        assert!(second.iter().any(|k| k == "pn:SMT"));
        assert!(second.iter().any(|k| k == "db:1984-02-29"));
        assert!(
            !second
                .iter()
                .any(|k| k.starts_with("pf:") || k.starts_with("nf:"))
        );
        assert_eq!(stages.get(2).copied(), Some(query.keys.as_slice()));
        assert_eq!(stages.len(), 3);
    }

    #[test]
    fn stages_only_when_narrower() {
        // Identifier-like keys alone, or one word alone: one stage, every key.
        for text in ["29/02/1984", "LE1 6AB", "smith"] {
            let query = query_keys(text);
            assert!(query.narrower.is_empty(), "{text}: {query:?}");
            assert_eq!(query.stages().count(), 1);
        }
        // A surname and a date of birth: the date first, then everything.
        let query = query_keys("smith 29/02/1984");
        assert_eq!(query.narrower, vec![vec!["db:1984-02-29".to_owned()]]);
        // Pairs among the first four words only, in both orders.
        let query = query_keys("anne marie de souza extra");
        let pairs = query.keys.iter().filter(|k| k.starts_with("pp:")).count();
        assert_eq!(pairs, 12, "{query:?}");
    }

    #[test]
    fn junk_has_no_keys() {
        assert!(query_keys("  ").is_empty());
        assert!(query_keys("!!! ??? --").is_empty());
    }

    #[test]
    fn misread_vrm_shares_the_key() {
        let record = search_keys(&RecordBody::Object(Object::Vehicle(Vehicle {
            vrm: Vrm::parse("AB12 CDE").unwrap(),
            make: None,
            model: None,
            colour: None,
        })));
        for typed in ["ab12cde", "A812 CDE", "AB12 C0E", "A8I2 CDE"] {
            let query = query_keys(typed);
            assert!(
                query.keys.iter().any(|k| record.contains(k)),
                "{typed}: {query:?}"
            );
        }
    }

    fn word() -> impl Strategy<Value = String> {
        "[A-Za-zÀ-ÿ'][a-zà-ÿ' -]{0,15}".prop_filter("has a letter", |s| {
            s.chars().any(char::is_alphabetic) && !s.trim().is_empty()
        })
    }

    proptest! {
        #[test]
        fn own_surname_finds_the_person(forename in word(), surname in word()) {
            let Ok(name) = PersonName::new([forename.as_str()], &surname) else {
                return Ok(());
            };
            let keys = search_keys(&RecordBody::Person(Person::named(name)));
            for typed in [surname.as_str(), forename.as_str()] {
                let query = query_keys(typed);
                prop_assert!(query.keys.iter().any(|k| keys.contains(k)), "{typed}: {query:?} vs {keys:?}");
            }
        }

        #[test]
        fn full_name_in_either_order_is_found_by_the_first_stage(forename in "[A-Za-z]{2,12}", surname in "[A-Za-z]{2,12}") {
            let Ok(name) = PersonName::new([forename.as_str()], &surname) else {
                return Ok(());
            };
            let keys = search_keys(&RecordBody::Person(Person::named(name)));
            for typed in [format!("{forename} {surname}"), format!("{surname}, {forename}")] {
                let query = query_keys(&typed);
                let first = query.stages().next().unwrap_or_default();
                prop_assert!(first.iter().any(|k| keys.contains(k)), "{typed}: {query:?} vs {keys:?}");
            }
        }

        #[test]
        fn own_vrm_finds_the_vehicle(mark in "[A-Z]{2}[0-9]{2} ?[A-Z]{3}|[A-Z][0-9]{1,3} ?[A-Z]{3}|[A-Z]{3} ?[0-9]{1,3}[A-Z]") {
            let Ok(vrm) = Vrm::parse(&mark) else { return Ok(()); };
            let keys = search_keys(&RecordBody::Object(Object::Vehicle(Vehicle { vrm: vrm.clone(), make: None, model: None, colour: None })));
            for typed in [mark.clone(), vrm.to_string(), mark.to_lowercase()] {
                let query = query_keys(&typed);
                prop_assert!(query.keys.iter().any(|k| keys.contains(k)), "{typed}: {query:?} vs {keys:?}");
            }
        }

        #[test]
        fn own_postcode_finds_the_location(outward in "[A-PR-UWYZ][A-HK-Y]?[0-9]{1,2}", inward in "[0-9][ABD-HJLNP-UW-Z]{2}") {
            let Ok(postcode) = Postcode::parse(&format!("{outward} {inward}")) else { return Ok(()); };
            let address = Address::new(vec!["1 High St".into()], None, Some(postcode.clone())).unwrap();
            let keys = search_keys(&RecordBody::Location(Location::new(Some(address), None, None).unwrap()));
            for typed in [postcode.to_string(), format!("{outward}{inward}").to_lowercase()] {
                let query = query_keys(&typed);
                prop_assert!(query.keys.iter().any(|k| keys.contains(k)), "{typed}: {query:?} vs {keys:?}");
            }
        }

        #[test]
        fn folding_is_idempotent(text in "\\PC{0,40}") {
            let once = fold_text(&text);
            prop_assert_eq!(fold_text(&once), once.clone());
            let vrm = fold_vrm(&text);
            prop_assert_eq!(fold_vrm(&vrm), vrm.clone());
        }

        #[test]
        fn jaro_winkler_is_bounded_and_symmetric(a in "[a-z]{0,12}", b in "[a-z]{0,12}") {
            let ab = jaro_winkler(&a, &b);
            prop_assert!((0.0..=1.0).contains(&ab));
            prop_assert!((ab - jaro_winkler(&b, &a)).abs() < 1e-9);
        }
    }
}
