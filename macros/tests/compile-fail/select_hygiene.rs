//! What `runtime::select!` declares is invisible to the user's code (its
//! names are `Span::mixed_site()`), and an error in a handler points at
//! the handler; `.await` outside async code is named at the `select!`.

use std::future::ready;

async fn the_macros_own_names_are_out_of_reach() {
    let _: u64 = runtime::select! {
        v = ready(1u64) => v + __select_disabled,
    };
}

async fn a_type_error_in_a_handler() {
    let _: u32 = runtime::select! {
        _ = ready(1u32) => "one",
    };
}

fn not_async() -> u32 {
    runtime::select! {
        v = ready(1u32) => v,
    }
}

fn main() {}
