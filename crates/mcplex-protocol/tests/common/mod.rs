//! Helpers shared by the data-driven protocol tests.

use std::path::PathBuf;

/// The official specification data (`schema/<revision>/schema.json`,
/// `examples/<revision>/<TypeName>/*.json`): `$MCPLEX_SPEC_DIR`, or `shared/spec` beside the
/// repository. Panics, naming the place, when it is missing: these tests never skip.
pub(crate) fn spec_dir() -> PathBuf {
    let dir = match std::env::var_os("MCPLEX_SPEC_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/spec"),
    };
    assert!(
        dir.is_dir(),
        "the MCP specification data is expected at {} (set MCPLEX_SPEC_DIR to its location); \
         it holds schema/<revision>/schema.json and examples/<revision>/<TypeName>/*.json",
        dir.display()
    );
    dir
}
