//! Numbers that round-trip exactly.
//!
//! The schema types several members as `number` (progress, priorities, temperature, bounds of
//! number schemas). They are `f64` in the model; these serializers write an integral value as
//! an integer, so `50` read from the wire is written back as `50`, not `50.0`.

use serde::Serializer;

/// The largest integer an `f64` holds exactly (2^53).
const MAX_EXACT: f64 = 9_007_199_254_740_992.0;

/// Writes `value` as an integer when it is integral and exactly representable, else as a
/// float.
pub(crate) fn serialize_f64<S: Serializer>(value: &f64, serializer: S) -> Result<S::Ok, S::Error> {
    let v = *value;
    if v.is_finite() && v.fract() == 0.0 && v.abs() <= MAX_EXACT {
        // Exact: the value is integral and within the range where `f64` holds integers exactly.
        serializer.serialize_i64(v as i64)
    } else {
        serializer.serialize_f64(v)
    }
}

/// [`serialize_f64`] for optional members (used with `skip_serializing_if = "Option::is_none"`).
pub(crate) fn serialize_opt_f64<S: Serializer>(
    value: &Option<f64>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(v) => serialize_f64(v, serializer),
        None => serializer.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    #[derive(serde::Serialize)]
    struct N(#[serde(serialize_with = "super::serialize_f64")] f64);

    #[test]
    fn integral_values_are_integers() {
        assert_eq!(serde_json::to_string(&N(50.0)).unwrap(), "50");
        assert_eq!(serde_json::to_string(&N(-3.0)).unwrap(), "-3");
        assert_eq!(serde_json::to_string(&N(0.5)).unwrap(), "0.5");
        let big: serde_json::Value =
            serde_json::from_str(&serde_json::to_string(&N(1e300)).unwrap()).unwrap();
        assert!(big.is_f64(), "beyond 2^53 stays a float");
    }
}
