//! A type map for data that outer layers attach to a connection or a request.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

/// A map from a type to one value of that type.
///
/// Outer layers attach data here for the layers inside them: an auth layer inserts the
/// authenticated principal, an HTTP transport the request headers. Each type holds at most one
/// value, so use a type of your own (a newtype) as the key rather than `String` or `u64`.
///
/// Values must be `Clone` so that the whole map can be cloned, for example to hand a copy of a
/// connection's data to each request; wrap large values in an `Arc`.
///
/// ```
/// use mcplex_transport::Extensions;
///
/// #[derive(Clone, Debug, PartialEq)]
/// struct Principal(String);
///
/// let mut ext = Extensions::new();
/// assert!(ext.insert(Principal("alice".into())).is_none());
/// assert_eq!(ext.get::<Principal>(), Some(&Principal("alice".into())));
/// ext.get_mut::<Principal>().unwrap().0.push_str("@example.com");
/// assert_eq!(ext.remove::<Principal>().unwrap().0, "alice@example.com");
/// assert!(ext.is_empty());
/// ```
#[derive(Clone, Default)]
pub struct Extensions {
    // Shared until written: every request and handler context clones the connection's
    // extensions, so a clone is a reference-count increment, and a write copies only when the
    // map is shared.
    map: Option<Arc<Map>>,
}

type Map = HashMap<TypeId, Box<dyn AnyClone>>;

impl Extensions {
    /// An empty map; does not allocate.
    pub fn new() -> Self {
        Self::default()
    }

    /// Inserts a value, returning the value of the same type that was there before.
    pub fn insert<T: Clone + Send + Sync + 'static>(&mut self, value: T) -> Option<T> {
        self.map_mut()
            .insert(TypeId::of::<T>(), Box::new(value))
            .and_then(downcast_owned)
    }

    /// The value of type `T`, if there is one.
    pub fn get<T: Send + Sync + 'static>(&self) -> Option<&T> {
        self.map
            .as_ref()?
            .get(&TypeId::of::<T>())
            .and_then(|v| (**v).as_any().downcast_ref())
    }

    /// The value of type `T`, mutably, if there is one.
    pub fn get_mut<T: Send + Sync + 'static>(&mut self) -> Option<&mut T> {
        self.map.as_ref()?.get(&TypeId::of::<T>())?;
        self.map_mut()
            .get_mut(&TypeId::of::<T>())
            .and_then(|v| (**v).as_any_mut().downcast_mut())
    }

    /// Removes and returns the value of type `T`, if there is one.
    pub fn remove<T: Send + Sync + 'static>(&mut self) -> Option<T> {
        self.map.as_ref()?.get(&TypeId::of::<T>())?;
        self.map_mut()
            .remove(&TypeId::of::<T>())
            .and_then(downcast_owned)
    }

    /// Moves every value of `other` into this map, replacing values of the same type.
    pub fn extend(&mut self, other: Extensions) {
        let Some(other) = other.map else {
            return;
        };
        let other = Arc::try_unwrap(other).unwrap_or_else(|shared| (*shared).clone());
        self.map_mut().extend(other);
    }

    /// The number of values.
    pub fn len(&self) -> usize {
        self.map.as_ref().map_or(0, |m| m.len())
    }

    /// Whether the map holds no values.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn map_mut(&mut self) -> &mut Map {
        Arc::make_mut(self.map.get_or_insert_with(Default::default))
    }
}

impl fmt::Debug for Extensions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Extensions")
            .field("len", &self.len())
            .finish()
    }
}

fn downcast_owned<T: 'static>(value: Box<dyn AnyClone>) -> Option<T> {
    value.into_any().downcast().ok().map(|boxed| *boxed)
}

/// `Any` plus cloning, so that [`Extensions`] can be `Clone`.
///
/// `Box<dyn AnyClone>` implements this trait too (it is `Clone`), so call its methods through
/// `**` on a boxed value, never through auto-deref.
trait AnyClone: Any + Send + Sync {
    fn clone_box(&self) -> Box<dyn AnyClone>;
    fn as_any(&self) -> &(dyn Any + Send + Sync);
    fn as_any_mut(&mut self) -> &mut (dyn Any + Send + Sync);
    fn into_any(self: Box<Self>) -> Box<dyn Any>;
}

impl<T: Clone + Send + Sync + 'static> AnyClone for T {
    fn clone_box(&self) -> Box<dyn AnyClone> {
        Box::new(self.clone())
    }

    fn as_any(&self) -> &(dyn Any + Send + Sync) {
        self
    }

    fn as_any_mut(&mut self) -> &mut (dyn Any + Send + Sync) {
        self
    }

    fn into_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }
}

impl Clone for Box<dyn AnyClone> {
    fn clone(&self) -> Self {
        (**self).clone_box()
    }
}
