//! Shaping: reducing an outgoing message to what a revision knows.

use crate::ProtocolVersion;

/// Reduces a value, in place, to what a protocol revision knows.
///
/// Every outgoing message is shaped for the revision negotiated with its peer before it is
/// serialized: members a revision does not define are removed (no `resultType` before
/// 2026-07-28, no `structuredContent` before 2025-06-18, no `icons` before 2025-11-25),
/// content a revision cannot carry is replaced or dropped (no audio for 2024-11-05), and
/// members a revision requires are filled in (`resultType`, `ttlMs` and `cacheScope` on
/// 2026-07-28).
pub trait Shape {
    /// Shapes `self` for `version`.
    fn shape(&mut self, version: ProtocolVersion);
}

impl<T: Shape> Shape for Option<T> {
    fn shape(&mut self, version: ProtocolVersion) {
        if let Some(inner) = self {
            inner.shape(version);
        }
    }
}

impl<T: Shape> Shape for Vec<T> {
    fn shape(&mut self, version: ProtocolVersion) {
        for item in self {
            item.shape(version);
        }
    }
}

impl<T: Shape + ?Sized> Shape for Box<T> {
    fn shape(&mut self, version: ProtocolVersion) {
        (**self).shape(version);
    }
}
