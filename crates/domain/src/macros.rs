//! Crate-internal macros shared by the value types.

/// Implements `FromStr`, `TryFrom<String>` and `From<T> for String` for a type that has
/// `parse(&str) -> Result<Self, E>` and a canonical `Display`, which is what
/// `#[serde(try_from = "String", into = "String")]` needs.
macro_rules! string_conversions {
    ($ty:ty, $err:ty) => {
        impl ::core::str::FromStr for $ty {
            type Err = $err;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

        impl ::core::convert::TryFrom<String> for $ty {
            type Error = $err;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::parse(&s)
            }
        }

        impl ::core::convert::From<$ty> for String {
            fn from(value: $ty) -> Self {
                value.to_string()
            }
        }
    };
}

/// Declares a code-shaped string newtype: `upper` codes are `[A-Z0-9]` (input is uppercased),
/// `slug` codes are `[a-z0-9-]` (input is lowercased; no leading or trailing hyphen).
macro_rules! code_newtype {
    ($(#[$meta:meta])* $name:ident, $what:literal, $shape:ident, $max:literal) => {
        $(#[$meta])*
        #[derive(
            Debug,
            Clone,
            PartialEq,
            Eq,
            PartialOrd,
            Ord,
            Hash,
            ::serde::Serialize,
            ::serde::Deserialize,
            ::derive_more::Display,
            ::derive_more::AsRef,
        )]
        #[serde(try_from = "String", into = "String")]
        #[display("{_0}")]
        #[as_ref(str)]
        pub struct $name(String);

        impl $name {
            /// Parses and normalises the code.
            ///
            /// # Errors
            /// Returns a [`CodeError`](crate::values::CodeError) naming what is wrong.
            pub fn parse(input: &str) -> Result<Self, $crate::values::CodeError> {
                $crate::values::code::$shape(input, $what, $max).map(Self)
            }

            /// The code as a string slice.
            #[must_use]
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        string_conversions!($name, $crate::values::CodeError);
    };
}
