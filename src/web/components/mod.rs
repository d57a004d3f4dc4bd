//! The page's components, one file per panel: the layout (`app`), status and notices, search,
//! the likes list, the CSV import, the recommendations, the result controls, the fine-tune (with
//! saving and loading the tuned model), the song path, the new-track form and the synthetic-catalog banner.
//!
//! Components read and change `state::PageState` through its methods and reach the engine only
//! through `slot`; they must not know how the engine ranks, nor localStorage's format (`storage`
//! and `crate::listener::likes` own it). Nothing outside `components` imports from here except `web::start`.

mod app;
mod controls;
mod import;
mod likes;
mod newtrack;
mod path;
mod recs;
mod search;
mod status;
mod synthetic;
mod tune;

pub use app::App;
