use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reports `EXPOSE 22` (also `22/tcp`, a port range that holds 22, or a variable whose
    /// value is 22): the image advertises an SSH server.
    ///
    /// ## Why it matters
    /// An SSH daemon in a container is one more network service with credentials or keys to
    /// steal, usually running as root, and it bypasses the runtime's own access control
    /// (`docker exec`, `kubectl exec`), which are logged and need no key in the image.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:bookworm-slim
    /// RUN apt-get update && apt-get install -y --no-install-recommends openssh-server
    /// EXPOSE 22 8080
    /// ```
    ///
    /// ## Fixed
    /// ```dockerfile
    /// FROM debian:bookworm-slim
    /// EXPOSE 8080
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: removing the port does not remove the SSH server the image runs.
    pub struct ExposeSsh {
        name: "expose-ssh",
        group: Security,
        level: Warning,
        aliases: ["DS-0004", "CKV_DOCKER_1"],
        fix: None,
        summary: "`EXPOSE 22`: an SSH server in a container",
    }
}

impl Check for ExposeSsh {
    fn check(&self, ctx: &Context<'_>, out: &mut Findings) {
        for (id, instruction) in ctx.instructions_of(InstructionKind::Expose) {
            for arg in instruction.arguments() {
                let words = match ctx.model.expand_at(id, &arg.value) {
                    Some(Ok(expansion)) => expansion.words,
                    _ => vec![arg.value.clone()],
                };
                if words.iter().any(|w| includes_ssh(w)) {
                    let range = usize::from(arg.range.start())..usize::from(arg.range.end());
                    let written = if arg.value.contains('$') {
                        format!("`{}` (port 22)", arg.value)
                    } else {
                        format!("`{}`", arg.value)
                    };
                    out.report(range, format!("EXPOSE {written} advertises an SSH server"))
                        .help("use `docker exec`/`kubectl exec` to get into a container, and drop the SSH server and port 22");
                }
            }
        }
    }
}

/// Whether an EXPOSE word (`22`, `22/tcp`, `20-25`, `22/udp`) covers TCP port 22.
fn includes_ssh(word: &str) -> bool {
    let (ports, protocol) = word.split_once('/').unwrap_or((word, "tcp"));
    if !protocol.eq_ignore_ascii_case("tcp") {
        return false;
    }
    let (low, high) = ports.split_once('-').unwrap_or((ports, ports));
    match (low.trim().parse::<u32>(), high.trim().parse::<u32>()) {
        (Ok(low), Ok(high)) => low <= 22 && 22 <= high,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::includes_ssh;

    #[test]
    fn ssh_port_forms() {
        assert!(includes_ssh("22"));
        assert!(includes_ssh("22/tcp"));
        assert!(includes_ssh("22/TCP"));
        assert!(includes_ssh("20-25"));
        assert!(!includes_ssh("22/udp"));
        assert!(!includes_ssh("2222"));
        assert!(!includes_ssh("8022"));
        assert!(!includes_ssh("x"));
    }
}
