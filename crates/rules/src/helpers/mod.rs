//! Questions several rules ask of the model, answered once.

pub mod packages;
