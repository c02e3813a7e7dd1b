use crate::helpers::style::{image_stages, instructions_in_stages, range};
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Opt-in. Reports a Dockerfile whose final image has no `HEALTHCHECK`: none in the
    /// final stage nor in the stages it is built on (`FROM <stage>`). `HEALTHCHECK NONE`
    /// counts as a decision and is not reported. A health check inherited from an external
    /// base image cannot be seen offline.
    ///
    /// ## Why it matters
    /// Without a health check, Docker and Swarm report a container as healthy as long as
    /// its process runs, even when it has hung or lost its database: nothing restarts it
    /// or takes it out of rotation. (Kubernetes ignores `HEALTHCHECK` and uses its own
    /// probes, which is why the rule is off by default.)
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// COPY app.py /app/
    /// CMD ["python", "/app/app.py"]
    /// ```
    ///
    /// ## Fixed
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// COPY app.py /app/
    /// HEALTHCHECK --interval=30s --timeout=3s CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://localhost:8000/health')"]
    /// CMD ["python", "/app/app.py"]
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: only the author knows how the service shows it is healthy.
    pub struct MissingHealthcheck {
        name: "missing-healthcheck",
        group: Style,
        level: Off,
        aliases: ["DL3057", "DS-0026", "CKV_DOCKER_2"],
        fix: None,
        summary: "The final image has no `HEALTHCHECK`",
    }
}

impl Check for MissingHealthcheck {
    fn check(&self, ctx: &Context<'_>, out: &mut Findings) {
        let stages = image_stages(ctx);
        if stages.is_empty()
            || !instructions_in_stages(ctx, &stages, InstructionKind::Healthcheck).is_empty()
        {
            return;
        }
        let Some(from) = ctx.final_from() else {
            return;
        };
        out.report(
            range(from.keyword_range()),
            "the image has no `HEALTHCHECK`: a hung service still counts as healthy",
        )
        .help("add `HEALTHCHECK CMD ...` that probes the service (or `HEALTHCHECK NONE` to say there is none)");
    }
}
