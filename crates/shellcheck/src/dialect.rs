//! Which ShellCheck dialect checks a script, from the shell that runs it.

/// A shell dialect ShellCheck understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sh,
    Bash,
    Dash,
    Ksh,
    /// BusyBox's `ash` (Alpine's `/bin/sh`); ShellCheck checks it as dash.
    Ash,
}

impl Dialect {
    /// The dialect for a shell program (`sh`, `/bin/bash`, `busybox`...), or `None` for a
    /// shell ShellCheck does not check (zsh, fish, PowerShell...).
    pub fn from_shell(program: &str) -> Option<Dialect> {
        let name = program.rsplit('/').next().unwrap_or(program);
        Some(match name {
            "sh" => Dialect::Sh,
            "bash" => Dialect::Bash,
            "dash" => Dialect::Dash,
            "ksh" | "mksh" | "ksh93" | "pdksh" => Dialect::Ksh,
            "ash" | "busybox" => Dialect::Ash,
            _ => return None,
        })
    }

    /// The shebang line that makes ShellCheck use this dialect.
    pub fn shebang(self) -> &'static str {
        match self {
            Dialect::Sh => "#!/bin/sh",
            Dialect::Bash => "#!/bin/bash",
            Dialect::Dash => "#!/bin/dash",
            Dialect::Ksh => "#!/bin/ksh",
            Dialect::Ash => "#!/bin/ash",
        }
    }
}

/// The dialect a script's own shebang names (`#!/bin/bash`, `#!/usr/bin/env sh`), when it
/// has one ShellCheck understands.
pub fn from_shebang(text: &str) -> Option<Dialect> {
    let line = text.strip_prefix("#!")?.lines().next()?;
    let mut words = line.split_whitespace();
    let first = words.next()?;
    if first.ends_with("/env") {
        words
            .find(|w| !w.starts_with('-'))
            .and_then(Dialect::from_shell)
    } else {
        Dialect::from_shell(first)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn programs_and_shebangs() {
        assert_eq!(Dialect::from_shell("/bin/sh"), Some(Dialect::Sh));
        assert_eq!(Dialect::from_shell("/usr/bin/bash"), Some(Dialect::Bash));
        assert_eq!(Dialect::from_shell("busybox"), Some(Dialect::Ash));
        assert_eq!(Dialect::from_shell("zsh"), None);
        assert_eq!(Dialect::from_shell("pwsh"), None);
        assert_eq!(
            from_shebang("#!/usr/bin/env bash\necho"),
            Some(Dialect::Bash)
        );
        assert_eq!(from_shebang("#!/bin/sh -e\n"), Some(Dialect::Sh));
        assert_eq!(from_shebang("#!/usr/bin/env python3\n"), None);
        assert_eq!(from_shebang("echo hi\n"), None);
    }
}
