//! `ekctl`: the operators' CLI. Thin: the process's arguments, environment and streams go to
//! [`eventkit_ekctl::run`], whose answer is the exit code.

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let vars = std::env::vars().collect();
    let code = eventkit_ekctl::run(
        std::env::args().collect(),
        &vars,
        &mut std::io::stdout(),
        &mut std::io::stderr(),
    )
    .await;
    std::process::exit(code);
}
