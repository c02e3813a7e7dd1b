//! Questions several rules ask of the model, answered once.

pub mod correctness;
pub mod packages;
pub mod reliability;
pub mod security;
pub mod size;
pub mod speed;
pub mod style;
