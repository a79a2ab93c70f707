//! Which graphics renderer draws the window: the order tried on this
//! platform, the fall-back when one cannot start, and the plain message
//! shown when none can (never a silent exit).
//!
//! Both eframe renderers are built in. wgpu (Direct3D 12, Metal, Vulkan)
//! comes first on Windows and macOS, where it is the platform's own API and
//! works over Remote Desktop and in virtual machines whose OpenGL is old;
//! glow (OpenGL) comes first on Linux, where Mesa's OpenGL is the most
//! widely working path (software rendering included). Either one that
//! cannot start hands over to the other; `je08 gui --renderer` (or
//! `JE08_RENDERER`) forces one.

use crate::i18n::{Msg, Tr};

/// A renderer the window can be drawn with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RendererChoice {
    /// wgpu: Direct3D 12, Metal or Vulkan (OpenGL is left to glow).
    Wgpu,
    /// glow: OpenGL 2+ / OpenGL ES 2+.
    Glow,
}

impl RendererChoice {
    /// The eframe renderer it names.
    pub fn eframe(self) -> eframe::Renderer {
        match self {
            Self::Wgpu => eframe::Renderer::Wgpu,
            Self::Glow => eframe::Renderer::Glow,
        }
    }

    /// Its name, as `--renderer` spells it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Wgpu => "wgpu",
            Self::Glow => "glow",
        }
    }
}

/// The renderer `JE08_RENDERER` forces (`wgpu` or `glow`) when `je08` is
/// started with no arguments; an unknown name is said in the log and ignored.
pub fn from_env() -> Option<RendererChoice> {
    use clap::ValueEnum as _;
    let name = std::env::var("JE08_RENDERER").ok()?;
    RendererChoice::from_str(name.trim(), true)
        .map_err(|_| tracing::warn!("JE08_RENDERER={name:?} is neither wgpu nor glow: ignored"))
        .ok()
}

/// The renderers to try, in order: the forced one alone, or this
/// platform's best first and the other after it.
pub fn order(forced: Option<RendererChoice>) -> Vec<RendererChoice> {
    match forced {
        Some(one) => vec![one],
        None if cfg!(any(windows, target_os = "macos")) => {
            vec![RendererChoice::Wgpu, RendererChoice::Glow]
        }
        None => vec![RendererChoice::Glow, RendererChoice::Wgpu],
    }
}

/// How one attempt to open the window ended.
#[derive(Debug)]
pub enum Attempt {
    /// The window opened, ran and was closed.
    Closed,
    /// The renderer could not start; no window was shown, the next may be tried.
    CannotStart(String),
    /// The window had opened and then failed: not retried with another renderer.
    FailedAfterOpening(String),
}

/// Why no window ran.
#[derive(Debug, PartialEq, Eq)]
pub enum Failure {
    /// Every renderer in the order failed to start: each with its error.
    NoRenderer(Vec<(RendererChoice, String)>),
    /// The window opened with this renderer and then failed.
    AfterOpening(RendererChoice, String),
}

/// Try `attempt` with each renderer of `order` until one opens the window.
pub fn open_first_working(
    order: &[RendererChoice],
    mut attempt: impl FnMut(RendererChoice) -> Attempt,
) -> Result<RendererChoice, Failure> {
    let mut failed = Vec::new();
    for &renderer in order {
        match attempt(renderer) {
            Attempt::Closed => return Ok(renderer),
            Attempt::FailedAfterOpening(err) => return Err(Failure::AfterOpening(renderer, err)),
            Attempt::CannotStart(err) => {
                tracing::warn!(renderer = renderer.name(), "the window cannot start: {err}");
                failed.push((renderer, err));
            }
        }
    }
    Err(Failure::NoRenderer(failed))
}

/// The sentence saying that no renderer works, which were tried and why.
pub fn no_renderer_message(tr: Tr, failed: &[(RendererChoice, String)]) -> String {
    let tried = failed
        .iter()
        .map(|(renderer, err)| format!("{}: {err}", renderer.name()))
        .collect::<Vec<_>>()
        .join("; ");
    tr.f(Msg::NoRenderer, &[tried.as_str()])
}

/// Say that the window cannot open: on standard error, and in the
/// platform's own message box (MessageBox on Windows, NSAlert on macOS,
/// zenity on Linux where installed), which needs no GPU.
pub fn show_no_window(tr: Tr, message: &str) {
    eprintln!("{message}");
    rfd::MessageDialog::new()
        .set_level(rfd::MessageLevel::Error)
        .set_title(tr.t(Msg::NoRendererTitle))
        .set_description(message)
        .set_buttons(rfd::MessageButtons::Ok)
        .show();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn a_forced_renderer_is_the_only_one_tried() {
        assert_eq!(order(Some(RendererChoice::Glow)), [RendererChoice::Glow]);
        assert_eq!(order(Some(RendererChoice::Wgpu)), [RendererChoice::Wgpu]);
    }

    #[test]
    fn both_renderers_are_tried_and_the_platforms_best_first() {
        let both = order(None);
        assert_eq!(both.len(), 2);
        let first = if cfg!(any(windows, target_os = "macos")) {
            RendererChoice::Wgpu
        } else {
            RendererChoice::Glow
        };
        assert_eq!(both[0], first);
        assert_ne!(both[0], both[1]);
    }

    #[test]
    fn a_renderer_that_cannot_start_hands_over_to_the_next() {
        let mut tried = Vec::new();
        let opened = open_first_working(&[RendererChoice::Wgpu, RendererChoice::Glow], |r| {
            tried.push(r);
            match r {
                RendererChoice::Wgpu => Attempt::CannotStart("no adapter".into()),
                RendererChoice::Glow => Attempt::Closed,
            }
        });
        assert_eq!(opened, Ok(RendererChoice::Glow));
        assert_eq!(tried, [RendererChoice::Wgpu, RendererChoice::Glow]);
    }

    #[test]
    fn a_window_that_failed_after_opening_is_not_opened_again() {
        let mut tried = 0;
        let result = open_first_working(&[RendererChoice::Glow, RendererChoice::Wgpu], |_| {
            tried += 1;
            Attempt::FailedAfterOpening("lost the context".into())
        });
        assert_eq!(
            result,
            Err(Failure::AfterOpening(
                RendererChoice::Glow,
                "lost the context".into()
            ))
        );
        assert_eq!(tried, 1);
    }

    #[test]
    fn when_none_starts_the_message_names_each_and_why_in_both_languages() {
        let failed = vec![
            (RendererChoice::Glow, "no OpenGL".to_owned()),
            (RendererChoice::Wgpu, "no adapter".to_owned()),
        ];
        let en = no_renderer_message(Tr(Lang::En), &failed);
        assert!(en.contains("glow: no OpenGL; wgpu: no adapter"), "{en}");
        assert!(en.contains("je08 --help"), "{en}");
        let pt = no_renderer_message(Tr(Lang::PtBr), &failed);
        assert!(pt.contains("glow: no OpenGL; wgpu: no adapter"), "{pt}");
        assert_ne!(en, pt);
    }
}
