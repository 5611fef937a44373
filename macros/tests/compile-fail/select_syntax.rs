//! `runtime::select!`'s syntax mistakes: each is one error at the user's
//! tokens, in words, rather than a `macro_rules!` "no rules expected".

async fn no_equals_sign() {
    runtime::select! {
        v => v,
    }
}

async fn no_arrow() {
    runtime::select! {
        v = async { 1 }, v + 1
    }
}

async fn no_handler_after_the_precondition() {
    runtime::select! {
        v = async { 1 }, if true
    }
}

async fn empty_handler() {
    let _: u32 = runtime::select! {
        v = async { 1 } =>,
    };
}

async fn a_missing_comma_between_branches() {
    runtime::select! {
        a = async { 1 } => a + 1
        b = async { 2 } => b,
    }
}

async fn else_before_a_branch() {
    runtime::select! {
        else => 0,
        v = async { 1 } => v,
    }
}

async fn no_branch() {
    runtime::select! {}
}

async fn only_else() {
    runtime::select! {
        else => 0,
    }
}

async fn sixty_five_branches() {
    runtime::select! {
        _ = async {} => 0, _ = async {} => 0, _ = async {} => 0, _ = async {} => 0,
        _ = async {} => 0, _ = async {} => 0, _ = async {} => 0, _ = async {} => 0,
        _ = async {} => 0, _ = async {} => 0, _ = async {} => 0, _ = async {} => 0,
        _ = async {} => 0, _ = async {} => 0, _ = async {} => 0, _ = async {} => 0,
        _ = async {} => 0, _ = async {} => 0, _ = async {} => 0, _ = async {} => 0,
        _ = async {} => 0, _ = async {} => 0, _ = async {} => 0, _ = async {} => 0,
        _ = async {} => 0, _ = async {} => 0, _ = async {} => 0, _ = async {} => 0,
        _ = async {} => 0, _ = async {} => 0, _ = async {} => 0, _ = async {} => 0,
        _ = async {} => 0, _ = async {} => 0, _ = async {} => 0, _ = async {} => 0,
        _ = async {} => 0, _ = async {} => 0, _ = async {} => 0, _ = async {} => 0,
        _ = async {} => 0, _ = async {} => 0, _ = async {} => 0, _ = async {} => 0,
        _ = async {} => 0, _ = async {} => 0, _ = async {} => 0, _ = async {} => 0,
        _ = async {} => 0, _ = async {} => 0, _ = async {} => 0, _ = async {} => 0,
        _ = async {} => 0, _ = async {} => 0, _ = async {} => 0, _ = async {} => 0,
        _ = async {} => 0, _ = async {} => 0, _ = async {} => 0, _ = async {} => 0,
        _ = async {} => 0, _ = async {} => 0, _ = async {} => 0, _ = async {} => 0,
        _ = async {} => 0,
    }
}

fn main() {}
