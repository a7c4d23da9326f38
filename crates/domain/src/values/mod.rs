//! Validated value types: each is parsed once, normalised to a canonical form, and cannot
//! hold an invalid value. All serialise as their canonical string, except [`GeoPoint`] and
//! [`PersonName`], which serialise as objects and are validated on deserialisation too.

pub(crate) mod code;
mod cro;
mod date_of_birth;
mod email;
mod free_text;
mod geo_point;
mod nhs_number;
mod nino;
mod person_name;
mod phone;
mod pnc;
mod postcode;
mod purpose;
mod serial_number;
mod vrm;

pub use code::CodeError;
pub use cro::{CroNumber, CroNumberError};
pub use date_of_birth::{DateOfBirth, DateOfBirthError};
pub use email::{EmailAddress, EmailAddressError};
pub use free_text::{FreeText, FreeTextError};
pub use geo_point::{GeoPoint, GeoPointError};
pub use nhs_number::{NhsNumber, NhsNumberError};
pub use nino::{NationalInsuranceNumber, NinoError};
pub use person_name::{PersonName, PersonNameError};
pub use phone::{PhoneNumber, PhoneNumberError};
pub use pnc::{PncId, PncIdError};
pub use postcode::{Postcode, PostcodeError};
pub use purpose::{Purpose, PurposeError};
pub use serial_number::{SerialNumber, SerialNumberError};
pub use vrm::{Vrm, VrmError, VrmStyle};

/// The first control character in `text` other than those `allowed`, with its 1-based
/// character position.
pub(crate) fn first_control_char(text: &str, allowed: &[char]) -> Option<(usize, char)> {
    text.chars()
        .enumerate()
        .find(|(_, c)| c.is_control() && !allowed.contains(c))
        .map(|(i, c)| (i.saturating_add(1), c))
}

/// The character at `index` in the modulus-23 check-letter alphabet used by PNC IDs and
/// CRO numbers (`ZABCDEFGHJKLMNPQRTUVWXY`: no I, O or S).
pub(crate) fn check_letter(value: u64) -> char {
    const ALPHABET: &[u8; 23] = b"ZABCDEFGHJKLMNPQRTUVWXY";
    usize::try_from(value % 23)
        .ok()
        .and_then(|i| ALPHABET.get(i))
        .map_or('?', |b| char::from(*b))
}
