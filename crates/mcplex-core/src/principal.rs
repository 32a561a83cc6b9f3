//! The authenticated caller.

use std::collections::BTreeSet;
use std::fmt;

/// Who is calling: set by authentication middleware (for example `mcplex-auth`) and handed to
/// every handler through [`Context::principal`](crate::Context::principal).
///
/// Sessions and multi round-trip request state are bound to the principal's subject: another
/// principal cannot use them.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Principal {
    subject: String,
    scopes: BTreeSet<String>,
}

impl Principal {
    /// A principal with a subject and no scopes.
    pub fn new(subject: impl Into<String>) -> Self {
        Self {
            subject: subject.into(),
            scopes: BTreeSet::new(),
        }
    }

    /// Adds scopes.
    pub fn with_scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.scopes.extend(scopes.into_iter().map(Into::into));
        self
    }

    /// The subject (for a JWT, the `sub` claim; for an API key, the key's name).
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// The granted scopes.
    pub fn scopes(&self) -> &BTreeSet<String> {
        &self.scopes
    }

    /// Whether the principal holds `scope`.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.contains(scope)
    }
}

impl fmt::Debug for Principal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Principal")
            .field("subject", &self.subject)
            .field("scopes", &self.scopes)
            .finish()
    }
}
