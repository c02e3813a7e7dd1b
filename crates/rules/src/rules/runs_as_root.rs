use dockopt_model::{Base, Stage};

use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reports a final stage that runs as root: its last `USER` (in the stage, or in the
    /// stages it is built `FROM`) is `root` or `0` (with any group), or no `USER` is set at
    /// all and the base image is not one that runs as another user by default.
    ///
    /// What counts as "not root" without a `USER`:
    /// - bases known to run as a non-root user: distroless `:nonroot` tags, Chainguard
    ///   images other than `-dev` variants, .NET `-chiseled` images, and images whose name
    ///   says so (`nonroot`, `non-root`, `rootless`, `unprivileged`, `bitnami/`);
    /// - Windows bases (`nanoserver`, `servercore`, `mcr.microsoft.com/windows`), whose
    ///   users are not Unix users; an explicit `USER ContainerAdministrator` is reported;
    /// - a stage built from `scratch` with no `CMD` or `ENTRYPOINT` anywhere in its chain:
    ///   it only exports files (`docker build --output`) and never runs as a container.
    ///
    /// A `scratch` image that does run (it has an `ENTRYPOINT`/`CMD`) and sets no `USER`
    /// runs as uid 0 and is reported. A `USER` whose value depends on a variable the build
    /// cannot see (`USER $APP_UID`, set by the base image) is taken as non-root.
    ///
    /// ## Why it matters
    /// A process running as root in a container is root on the files it can reach: a bug or
    /// a compromised dependency can rewrite the image's binaries, read mounted secrets, and
    /// a container escape starts with full privileges. Many clusters refuse such pods
    /// (`runAsNonRoot`).
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// COPY app /app
    /// CMD ["python", "/app/main.py"]
    /// ```
    ///
    /// ## Fixed
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// RUN useradd --system --uid 10001 --no-log-init app
    /// COPY app /app
    /// USER 10001
    /// CMD ["python", "/app/main.py"]
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: the user has to exist and own what the process writes.
    pub struct RunsAsRoot {
        name: "runs-as-root",
        group: Security,
        level: Warning,
        aliases: ["DL3002", "DS-0002", "CKV_DOCKER_3", "CKV_DOCKER_8"],
        fix: None,
        summary: "The final stage runs as root",
    }
}

const HELP: &str =
    "create a user (`useradd --system --uid 10001 app`) and end the final stage with `USER 10001`";

impl Check for RunsAsRoot {
    fn check(&self, ctx: &Context<'_>, out: &mut Findings) {
        let Some(final_stage) = ctx.model.final_stage() else {
            return;
        };
        let chain = stage_chain(ctx, final_stage);
        if let Some((id, instruction)) = last_user(ctx, &chain) {
            let inherited_from = ctx
                .stage_of(id)
                .filter(|s| s.index != final_stage.index)
                .map(Stage::display_name);
            check_user(ctx, out, id, instruction, inherited_from);
            return;
        }
        let Some(root) = chain.last() else {
            return;
        };
        let runs = chain.iter().any(|s| has_command(ctx, s)) || !matches!(root.base, Base::Scratch);
        if !runs {
            return;
        }
        let image = match &root.base {
            Base::Image(name) => Some(name.as_str()),
            _ => None,
        };
        if image.is_some_and(|i| runs_as_non_root(i) || is_windows(i)) {
            return;
        }
        let Some(from) = ctx.model.instruction(final_stage.from) else {
            return;
        };
        let range = from
            .from_args()
            .map(|a| a.image.range)
            .unwrap_or_else(|| from.keyword_range());
        let range = usize::from(range.start())..usize::from(range.end());
        let through = if chain.len() > 1 {
            " (nor do the stages it is built from)"
        } else {
            ""
        };
        let message = match (&root.base, image) {
            (Base::Scratch, _) => format!(
                "the final stage sets no USER{through}: a `scratch` image runs as uid 0 (root)"
            ),
            (_, Some(image)) if is_official(image) => format!(
                "the final stage sets no USER{through}: it runs as `{image}`'s default user, root"
            ),
            (_, Some(image)) => format!(
                "the final stage sets no USER{through}: it runs as root unless `{image}` sets another user"
            ),
            _ => format!("the final stage sets no USER{through}: it runs as root unless its base image sets another user"),
        };
        out.report(range, message).help(HELP);
    }
}

/// The final stage, then the stage it is built from, and so on up to an image or scratch.
fn stage_chain<'m>(ctx: &'m Context<'_>, last: &'m Stage) -> Vec<&'m Stage> {
    let mut chain = vec![last];
    let mut current = last;
    while let Some(parent) = current.base_stage().and_then(|i| ctx.model.stage(i)) {
        if chain.iter().any(|s| s.index == parent.index) {
            break;
        }
        chain.push(parent);
        current = parent;
    }
    chain
}

/// The last `USER` along the chain (the final stage's own first).
fn last_user<'a>(ctx: &Context<'a>, chain: &[&Stage]) -> Option<(InstructionId, &'a Instruction)> {
    chain.iter().find_map(|stage| {
        stage.instructions.iter().rev().find_map(|id| {
            let instruction = ctx.model.instruction(*id)?;
            (instruction.kind() == InstructionKind::User).then_some((*id, instruction))
        })
    })
}

fn has_command(ctx: &Context<'_>, stage: &Stage) -> bool {
    stage.instructions.iter().any(|id| {
        ctx.model
            .instruction(*id)
            .is_some_and(|i| matches!(i.kind(), InstructionKind::Cmd | InstructionKind::Entrypoint))
    })
}

fn check_user(
    ctx: &Context<'_>,
    out: &mut Findings,
    id: InstructionId,
    instruction: &Instruction,
    inherited_from: Option<String>,
) {
    let Some(arg) = instruction.arguments().first().copied() else {
        return;
    };
    let expansion = match ctx.model.expand_at(id, &arg.value) {
        Some(Ok(expansion)) => expansion,
        _ => return,
    };
    // A variable the build does not know (set by the base image, or a build argument
    // without a default) could be anything.
    if !expansion.unset().is_empty() {
        return;
    }
    let value = expansion.value.trim().to_string();
    let name = value.split(':').next().unwrap_or("");
    let is_admin = name.eq_ignore_ascii_case("ContainerAdministrator");
    if !matches!(name, "root" | "0") && !is_admin {
        return;
    }
    let range = usize::from(arg.range.start())..usize::from(arg.range.end());
    let shown = if arg.value.contains('$') {
        format!("`{}` (`{value}`)", arg.value)
    } else {
        format!("`{value}`")
    };
    let who = if is_admin {
        "ContainerAdministrator"
    } else {
        "root"
    };
    let whose = match inherited_from {
        Some(stage) => format!("the last USER the final stage inherits (from stage `{stage}`)"),
        None => "the final stage's last USER".to_string(),
    };
    out.report(
        range,
        format!("{whose} is {shown}: the container runs as {who}"),
    )
    .help(HELP);
}

/// The repository and tag of an image reference, lower-cased.
fn parts(image: &str) -> (String, String) {
    let lower = image.to_ascii_lowercase();
    let without_digest = lower.split('@').next().unwrap_or(&lower).to_string();
    let last_slash = without_digest.rfind('/').map_or(0, |i| i + 1);
    match without_digest[last_slash..].rfind(':') {
        Some(colon) => {
            let at = last_slash + colon;
            (
                without_digest[..at].to_string(),
                without_digest[at + 1..].to_string(),
            )
        }
        None => (without_digest, String::new()),
    }
}

/// Whether the image runs as a non-root user when no `USER` says otherwise.
fn runs_as_non_root(image: &str) -> bool {
    let (repository, tag) = parts(image);
    let says_so = ["nonroot", "non-root", "rootless", "unprivileged"]
        .iter()
        .any(|w| repository.contains(w) || tag.contains(w));
    let chainguard = repository.starts_with("cgr.dev/chainguard/") && !tag.contains("dev");
    let chiseled = repository.starts_with("mcr.microsoft.com/dotnet/") && tag.contains("chiseled");
    let bitnami =
        repository.starts_with("bitnami/") || repository.starts_with("docker.io/bitnami/");
    says_so || chainguard || chiseled || bitnami
}

fn is_windows(image: &str) -> bool {
    let (repository, tag) = parts(image);
    repository.starts_with("mcr.microsoft.com/windows")
        || ["nanoserver", "servercore", "windows"]
            .iter()
            .any(|w| tag.contains(w) || repository.ends_with(w))
}

/// An image of Docker Hub's official library (`debian:bookworm`, `library/node`), which
/// run as root unless they say otherwise.
fn is_official(image: &str) -> bool {
    let (repository, _) = parts(image);
    let repository = repository.strip_prefix("docker.io/").unwrap_or(&repository);
    let repository = repository.strip_prefix("library/").unwrap_or(repository);
    !repository.contains('/') && !repository.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_root_bases() {
        assert!(runs_as_non_root(
            "gcr.io/distroless/static-debian12:nonroot"
        ));
        assert!(runs_as_non_root(
            "gcr.io/distroless/static-debian13:nonroot-amd64"
        ));
        assert!(runs_as_non_root("cgr.dev/chainguard/python:latest"));
        assert!(!runs_as_non_root("cgr.dev/chainguard/python:latest-dev"));
        assert!(runs_as_non_root(
            "mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled"
        ));
        assert!(runs_as_non_root("nginxinc/nginx-unprivileged:1.27"));
        assert!(!runs_as_non_root("gcr.io/distroless/static-debian12"));
        assert!(!runs_as_non_root("localhost:5000/app"));
        assert!(!runs_as_non_root("debian:bookworm-slim"));
    }

    #[test]
    fn image_kinds() {
        assert!(is_windows("mcr.microsoft.com/windows/servercore:ltsc2022"));
        assert!(is_windows(
            "mcr.microsoft.com/dotnet/aspnet:8.0-nanoserver-ltsc2022"
        ));
        assert!(!is_windows("debian:bookworm"));
        assert!(is_official("debian:bookworm-slim"));
        assert!(is_official("docker.io/library/node:22"));
        assert!(!is_official("ghcr.io/astral-sh/uv:latest"));
        assert_eq!(
            parts("localhost:5000/app"),
            ("localhost:5000/app".into(), String::new())
        );
    }
}
