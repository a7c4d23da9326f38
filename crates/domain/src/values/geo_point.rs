//! WGS84 points.

use serde::{Deserialize, Serialize};

/// A WGS84 latitude/longitude in decimal degrees: both finite, latitude within -90..=90 and
/// longitude within -180..=180. Serialised as `{"lat": 52.63, "lon": -1.13}` and validated on
/// deserialisation. Displayed and parsed as `lat,lon`.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize)]
#[serde(try_from = "RawGeoPoint")]
pub struct GeoPoint {
    lat: f64,
    lon: f64,
}

/// The unvalidated wire form of a [`GeoPoint`].
#[derive(Deserialize)]
struct RawGeoPoint {
    lat: f64,
    lon: f64,
}

/// Why a point was rejected.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GeoPointError {
    /// NaN or infinite.
    #[error("{0} is not a finite number")]
    NotFinite(&'static str),
    /// Latitude outside -90..=90.
    #[error("latitude {0} is outside -90 to 90")]
    Latitude(f64),
    /// Longitude outside -180..=180.
    #[error("longitude {0} is outside -180 to 180")]
    Longitude(f64),
    /// Text that is not `lat,lon`.
    #[error("'{0}' is not a point in the form 'lat,lon'")]
    Shape(String),
}

impl GeoPoint {
    /// Builds a point after checking both coordinates.
    ///
    /// # Errors
    /// Returns a [`GeoPointError`] for a non-finite or out-of-range coordinate.
    pub fn new(lat: f64, lon: f64) -> Result<Self, GeoPointError> {
        if !lat.is_finite() {
            return Err(GeoPointError::NotFinite("latitude"));
        }
        if !lon.is_finite() {
            return Err(GeoPointError::NotFinite("longitude"));
        }
        if !(-90.0..=90.0).contains(&lat) {
            return Err(GeoPointError::Latitude(lat));
        }
        if !(-180.0..=180.0).contains(&lon) {
            return Err(GeoPointError::Longitude(lon));
        }
        Ok(Self { lat, lon })
    }

    /// Parses `lat,lon` (spaces allowed).
    ///
    /// # Errors
    /// Returns a [`GeoPointError`].
    pub fn parse(input: &str) -> Result<Self, GeoPointError> {
        let shape = || GeoPointError::Shape(input.to_owned());
        let (lat, lon) = input.split_once(',').ok_or_else(shape)?;
        let lat: f64 = lat.trim().parse().map_err(|_| shape())?;
        let lon: f64 = lon.trim().parse().map_err(|_| shape())?;
        Self::new(lat, lon)
    }

    /// Latitude in decimal degrees.
    #[must_use]
    pub fn lat(&self) -> f64 {
        self.lat
    }

    /// Longitude in decimal degrees.
    #[must_use]
    pub fn lon(&self) -> f64 {
        self.lon
    }
}

impl TryFrom<RawGeoPoint> for GeoPoint {
    type Error = GeoPointError;
    fn try_from(raw: RawGeoPoint) -> Result<Self, Self::Error> {
        Self::new(raw.lat, raw.lon)
    }
}

impl core::fmt::Display for GeoPoint {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{},{}", self.lat, self.lon)
    }
}

impl core::str::FromStr for GeoPoint {
    type Err = GeoPointError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case(52.6369, -1.1398)]
    #[case(90.0, 180.0)]
    #[case(-90.0, -180.0)]
    #[case(0.0, 0.0)]
    fn valid(#[case] lat: f64, #[case] lon: f64) {
        let p = GeoPoint::new(lat, lon).unwrap();
        assert_eq!((p.lat(), p.lon()), (lat, lon));
        assert_eq!(GeoPoint::parse(&p.to_string()).unwrap(), p);
    }

    #[rstest]
    #[case(90.5, 0.0, "latitude 90.5 is outside -90 to 90")]
    #[case(-91.0, 0.0, "latitude -91 is outside -90 to 90")]
    #[case(0.0, 180.01, "longitude 180.01 is outside -180 to 180")]
    #[case(f64::NAN, 0.0, "latitude is not a finite number")]
    #[case(0.0, f64::INFINITY, "longitude is not a finite number")]
    fn invalid(#[case] lat: f64, #[case] lon: f64, #[case] message: &str) {
        assert_eq!(GeoPoint::new(lat, lon).unwrap_err().to_string(), message);
    }

    #[test]
    fn serde_object_is_validated() {
        let p: GeoPoint = serde_json::from_str(r#"{"lat":52.5,"lon":-1.25}"#).unwrap();
        assert_eq!(
            serde_json::to_string(&p).unwrap(),
            r#"{"lat":52.5,"lon":-1.25}"#
        );
        let err = serde_json::from_str::<GeoPoint>(r#"{"lat":95,"lon":0}"#).unwrap_err();
        assert!(err.to_string().contains("latitude 95 is outside -90 to 90"));
    }

    #[test]
    fn text_form_must_have_a_comma() {
        assert_eq!(
            GeoPoint::parse("52.5").unwrap_err().to_string(),
            "'52.5' is not a point in the form 'lat,lon'"
        );
    }
}
