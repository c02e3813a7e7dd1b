//! Package-manager questions shared by rules.

use dockopt_shell::pkg::PkgOp;

use crate::context::{Context, RunScript};
use dockopt_model::InstructionId;

/// Every package-manager operation of a `RUN`, with the script it is in.
pub fn operations<'c>(
    ctx: &'c Context<'_>,
    id: InstructionId,
) -> impl Iterator<Item = (&'c RunScript, &'c PkgOp)> + 'c {
    ctx.scripts(id)
        .iter()
        .flat_map(|s| s.operations.iter().map(move |op| (s, op)))
}
