//! Temporary: imports the sample survey.
fn main() {
    let sheet = std::fs::read_to_string("scenarios/bishan-survey-sample.csv").unwrap();
    let template = std::fs::read_to_string("scenarios/survey-template.toml").unwrap();
    match scenarios::import_survey(
        &sheet,
        "scenarios/bishan-survey-sample.csv",
        &template,
        "scenarios/survey-template.toml",
    ) {
        Ok(text) => print!("{text}"),
        Err(p) => {
            for d in p {
                eprintln!("{}", d.render())
            }
        }
    }
}
