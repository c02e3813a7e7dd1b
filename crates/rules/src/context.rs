//! What a rule sees of one Dockerfile.

use std::path::Path;

/// One Dockerfile, as the rules see it.
pub struct Context<'a> {
    pub path: &'a Path,
    pub source: &'a str,
}
