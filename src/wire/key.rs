//! Object keys, borrowed from the input when they have no escapes.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, Visitor};

/// The keys Smile ID sends that are kept as they are: action names and the
/// result fields not modelled as struct fields. Keeping them as static strings
/// saves an allocation per key per result (a 1,000-entry history has tens of
/// thousands).
macro_rules! known_keys {
    ($($key:literal),* $(,)?) => {
        /// A key as a `'static` string when it is a known one, else owned.
        pub(crate) fn intern(key: &str) -> Cow<'static, str> {
            match key {
                $($key => Cow::Borrowed($key),)*
                _ => Cow::Owned(key.to_owned()),
            }
        }
    };
}

known_keys! {
    // Actions
    "Document_Check",
    "Human_Review_Compare",
    "Human_Review_Document_Check",
    "Human_Review_Liveness_Check",
    "Human_Review_Selfie_Check",
    "Human_Review_Update_Selfie",
    "Liveness_Check",
    "Register_Selfie",
    "Return_Personal_Info",
    "Selfie_Check",
    "Selfie_Provided",
    "Selfie_To_ID_Authority_Compare",
    "Selfie_To_ID_Card_Compare",
    "Selfie_To_Registered_Selfie_Compare",
    "Update_Registered_Selfie_On_File",
    "Verify_Document",
    "Verify_ID_Number",
    // Result fields kept in `extra`
    "Address",
    "Antifraud",
    "Country",
    "DOB",
    "DateTimeSubmitted",
    "Document",
    "ExpirationDate",
    "FullData",
    "FullName",
    "Gender",
    "IDNumber",
    "IDNumberPreviouslyRegistered",
    "IDType",
    "PhoneNumber",
    "PhoneNumber2",
    "Photo",
    "Secondary_ID_Number",
    "UserIDsOfPreviousRegistrants",
    "optional_info",
}

/// An object key, borrowed from the input when it has no escapes.
pub(crate) struct Key<'de>(pub(crate) Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object key")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}
