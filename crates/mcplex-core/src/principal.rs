//! The authenticated caller.

use std::collections::BTreeSet;
use std::fmt;
use std::sync::Arc;

/// Who is calling: set by authentication middleware (for example `mcplex-auth`) and handed to
/// every handler through [`Context::principal`](crate::Context::principal).
///
/// Sessions and multi round-trip request state are bound to the principal's subject: another
/// principal cannot use them.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Principal {
    // Shared: every request and handler context carries a copy.
    inner: Arc<Inner>,
}

#[derive(Clone, PartialEq, Eq, Hash)]
struct Inner {
    subject: String,
    scopes: BTreeSet<String>,
}

impl Principal {
    /// A principal with a subject and no scopes.
    pub fn new(subject: impl Into<String>) -> Self {
        Self {
            inner: Arc::new(Inner {
                subject: subject.into(),
                scopes: BTreeSet::new(),
            }),
        }
    }

    /// Adds scopes.
    pub fn with_scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let inner = Arc::make_mut(&mut self.inner);
        inner.scopes.extend(scopes.into_iter().map(Into::into));
        self
    }

    /// The subject (for a JWT, the `sub` claim; for an API key, the key's name).
    pub fn subject(&self) -> &str {
        &self.inner.subject
    }

    /// The granted scopes.
    pub fn scopes(&self) -> &BTreeSet<String> {
        &self.inner.scopes
    }

    /// Whether the principal holds `scope`.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.inner.scopes.contains(scope)
    }
}

impl fmt::Debug for Principal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Principal")
            .field("subject", &self.inner.subject)
            .field("scopes", &self.inner.scopes)
            .finish()
    }
}
