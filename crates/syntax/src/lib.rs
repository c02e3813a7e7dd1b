//! Lossless Dockerfile syntax: every byte of the input is kept, so printing the tree gives
//! back the input exactly and fixes can be plain text edits.

pub mod expand;
