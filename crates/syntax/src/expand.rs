//! Variable expansion as BuildKit's shell lexer does it.
