//! What a cluster user submits to run a job's shards and merge them on an
//! existing engine: a Slurm `submit.sh`, or Kubernetes Indexed Job
//! manifests. These functions only write text; nothing is submitted.
//!
//! Every shard runs the same command with `--shard env --shards N
//! --resume --out SHARED/shards`, so a retried pod or a requeued array
//! task skips a shard that already finished; the merge then reads
//! `SHARED/shards` and writes `SHARED/result`. Paths are the ones the
//! cluster's nodes see ([`Emit::bin`], [`Emit::shared_dir`]), and every
//! argument is quoted (shell words in `submit.sh`, JSON strings in YAML).

use std::fmt::Write as _;

/// The shards' directory under the shared directory.
pub const SHARDS_DIR: &str = "shards";
/// The merged result's directory under the shared directory.
pub const RESULT_DIR: &str = "result";
/// The Slurm jobs' logs under the shared directory.
pub const LOGS_DIR: &str = "logs";
/// The Slurm script.
pub const SLURM_FILE: &str = "submit.sh";
/// The Kubernetes Indexed Job of the shards.
pub const K8S_JOB_FILE: &str = "job.yaml";
/// The Kubernetes Job of the merge.
pub const K8S_MERGE_FILE: &str = "merge-job.yaml";
/// The persistent volume claim that the manifests mount as the shared
/// directory, unless the user edits it.
pub const K8S_CLAIM: &str = "swapsim-shared";
/// Where the `Containerfile` puts the binary in the image.
pub const IMAGE_BIN: &str = "/usr/local/bin/swapsim";

/// The cluster engine to write for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    /// A Slurm job array and a dependent merge job.
    Slurm,
    /// A Kubernetes Indexed Job and a merge Job.
    Kubernetes,
}

/// A job to write for a cluster.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Emit {
    /// The `swapsim` binary as the nodes see it (in the image, for
    /// Kubernetes).
    pub bin: String,
    /// The shared directory as the nodes see it, absolute: the shards
    /// write `SHARED/shards/`, the merge `SHARED/result/`.
    pub shared_dir: String,
    /// The sharded command's arguments after the binary, without
    /// `--shard`, `--shards`, `--resume` and `--out`: for a run,
    /// `["run", "/abs/scenario.toml", "--seed", "7"]`; for a sweep,
    /// `["sweep", "/abs/sweep.toml"]`.
    pub command: Vec<String>,
    /// Shards (array tasks, completions).
    pub shards: u32,
    /// Most shards running at once: Slurm's `%` throttle, Kubernetes'
    /// `parallelism` (all at once if `None`).
    pub max_parallel: Option<u32>,
    /// A name for the jobs (letters, digits and `-`), such as
    /// `swapsim-bishan-pilot`.
    pub name: String,
    /// The container image (Kubernetes).
    pub image: String,
    /// Retries of each failed index (Kubernetes' `backoffLimitPerIndex`).
    pub retries: u32,
}

/// `text` as one shell word: in single quotes, each `'` written `'\''`.
pub fn shell_quote(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./=:,+@%".contains(&b));
    if plain {
        text.to_owned()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

/// A job name from `stem` (such as a scenario's file stem): `swapsim-`
/// and its ASCII letters and digits, lowercase, other runs as one `-`,
/// at most 50 characters (Kubernetes names are DNS labels).
pub fn job_name(stem: &str) -> String {
    let mut name = String::from("swapsim");
    for c in stem.chars() {
        if c.is_ascii_alphanumeric() {
            if name.len() == "swapsim".len() {
                name.push('-');
            }
            name.push(c.to_ascii_lowercase());
        } else if !name.ends_with('-') && name.len() > "swapsim".len() {
            name.push('-');
        }
    }
    name.truncate(50);
    name.trim_end_matches('-').to_owned()
}

impl Emit {
    /// `SHARED/shards`.
    pub fn shards_dir(&self) -> String {
        join(&self.shared_dir, SHARDS_DIR)
    }

    /// `SHARED/result`.
    pub fn result_dir(&self) -> String {
        join(&self.shared_dir, RESULT_DIR)
    }

    /// The command each shard runs, binary first.
    pub fn shard_command(&self) -> Vec<String> {
        let mut args = vec![self.bin.clone()];
        args.extend(self.command.iter().cloned());
        args.extend([
            "--shard".to_owned(),
            "env".to_owned(),
            "--shards".to_owned(),
            self.shards.to_string(),
            "--resume".to_owned(),
            "--quiet".to_owned(),
            "--out".to_owned(),
            self.shards_dir(),
        ]);
        args
    }

    /// The merge's command, binary first. `--force`: a merge run again
    /// replaces the result it wrote before.
    pub fn merge_command(&self) -> Vec<String> {
        vec![
            self.bin.clone(),
            "merge".to_owned(),
            self.shards_dir(),
            "--out".to_owned(),
            self.result_dir(),
            "--force".to_owned(),
            "--quiet".to_owned(),
        ]
    }

    /// The files to write for `engine`, with their names in the output
    /// directory.
    pub fn files(&self, engine: Engine) -> Vec<(&'static str, String)> {
        match engine {
            Engine::Slurm => vec![(SLURM_FILE, self.slurm())],
            Engine::Kubernetes => vec![
                (K8S_JOB_FILE, self.k8s_job()),
                (K8S_MERGE_FILE, self.k8s_merge_job()),
            ],
        }
    }

    /// `submit.sh`: `sbatch` of the array of shards, then of the merge
    /// with `--dependency=afterok` on the array; prints both job ids.
    pub fn slurm(&self) -> String {
        let words = |args: &[String]| {
            args.iter()
                .map(|a| shell_quote(a))
                .collect::<Vec<_>>()
                .join(" ")
        };
        let last = self.shards - 1;
        let throttle = self
            .max_parallel
            .map(|k| format!("%{k}"))
            .unwrap_or_default();
        let shared = shell_quote(&self.shared_dir);
        let logs = join(&self.shared_dir, LOGS_DIR);
        let mut s = String::new();
        let _ = write!(
            s,
            "#!/bin/sh\n\
             # Runs `{command}` on Slurm in {n} shards, then merges them.\n\
             # Written by swapsim {version}; it submits only when run: sh submit.sh\n\
             # Every node must see the shared directory at {shared_plain}\n\
             # (shards in {shards_plain}, the result in {result_plain}) and the\n\
             # binary at {bin_plain}.\n\
             set -eu\n\
             mkdir -p {shards_dir} {logs_q}\n\
             # --parsable prints JOBID or JOBID;CLUSTER.\n\
             shards=$(sbatch --parsable --chdir={shared} --output={out_log} <<'SWAPSIM_SHARDS'\n\
             #!/bin/sh\n\
             #SBATCH --job-name={name}\n\
             #SBATCH --array=0-{last}{throttle}\n\
             #SBATCH --ntasks=1\n\
             exec {shard}\n\
             SWAPSIM_SHARDS\n\
             )\n\
             shards=${{shards%%;*}}\n\
             merge=$(sbatch --parsable --dependency=afterok:\"$shards\" --chdir={shared} --output={merge_log} <<'SWAPSIM_MERGE'\n\
             #!/bin/sh\n\
             #SBATCH --job-name={name}-merge\n\
             #SBATCH --ntasks=1\n\
             exec {merge}\n\
             SWAPSIM_MERGE\n\
             )\n\
             merge=${{merge%%;*}}\n\
             echo \"shards: job $shards (array 0-{last}{throttle})\"\n\
             echo \"merge: job $merge (after every shard succeeded), result in \"{result_q}\n",
            command = comment(&self.command.join(" ")),
            n = self.shards,
            version = env!("CARGO_PKG_VERSION"),
            shared_plain = comment(&self.shared_dir),
            shards_plain = comment(&self.shards_dir()),
            result_plain = comment(&self.result_dir()),
            bin_plain = comment(&self.bin),
            shards_dir = shell_quote(&self.shards_dir()),
            logs_q = shell_quote(&logs),
            out_log = shell_quote(&join(&logs, "shard-%A_%a.out")),
            merge_log = shell_quote(&join(&logs, "merge-%j.out")),
            name = self.name,
            shard = words(&self.shard_command()),
            merge = words(&self.merge_command()),
            result_q = shell_quote(&self.result_dir()),
        );
        s
    }

    /// `job.yaml`: an Indexed Job of `shards` completions, each pod shard
    /// `JOB_COMPLETION_INDEX` (`--shard env --shards N`), the shared
    /// directory a persistent volume claim mounted at the same path.
    pub fn k8s_job(&self) -> String {
        let parallelism = self.max_parallel.unwrap_or(self.shards).min(self.shards);
        let mut s = self.k8s_head(
            &format!("{}-shards", self.name),
            "the shards of the job; then apply merge-job.yaml",
        );
        let _ = write!(
            s,
            "spec:\n\
             \x20 completionMode: Indexed\n\
             \x20 completions: {n}\n\
             \x20 parallelism: {parallelism}\n\
             \x20 backoffLimitPerIndex: {retries}\n\
             \x20 template:\n",
            n = self.shards,
            retries = self.retries,
        );
        s.push_str(&self.k8s_pod(&self.shard_command()));
        s
    }

    /// `merge-job.yaml`: one pod that merges the shards once the Indexed
    /// Job has completed (Kubernetes has no dependencies between Jobs:
    /// apply it after `kubectl wait --for=condition=complete`).
    pub fn k8s_merge_job(&self) -> String {
        let mut s = self.k8s_head(
            &format!("{}-merge", self.name),
            "the merge; apply after the shards' Job completed",
        );
        s.push_str(
            "spec:\n\
             \x20 completions: 1\n\
             \x20 backoffLimit: 2\n\
             \x20 template:\n",
        );
        s.push_str(&self.k8s_pod(&self.merge_command()));
        s
    }

    fn k8s_head(&self, name: &str, what: &str) -> String {
        format!(
            "# swapsim {version}: {what}.\n\
             # Written by `{command} --emit k8s`; submit with kubectl apply -f.\n\
             # The volume claim {K8S_CLAIM} must give every pod the shared directory\n\
             # (ReadWriteMany); it is mounted at {shared}.\n\
             apiVersion: batch/v1\n\
             kind: Job\n\
             metadata:\n\
             \x20 name: {name}\n\
             \x20 labels:\n\
             \x20   app.kubernetes.io/name: swapsim\n\
             \x20   swapsim/job: {job}\n",
            version = env!("CARGO_PKG_VERSION"),
            command = self.command.first().map_or("swapsim", |c| c.as_str()),
            shared = comment(&self.shared_dir),
            name = yaml_str(name),
            job = yaml_str(&self.name),
        )
    }

    fn k8s_pod(&self, command: &[String]) -> String {
        let mut s = String::from(
            "    spec:\n\
             \x20     restartPolicy: Never\n\
             \x20     containers:\n\
             \x20       - name: swapsim\n",
        );
        let _ = writeln!(s, "          image: {}", yaml_str(&self.image));
        s.push_str("          command:\n");
        for arg in command {
            let _ = writeln!(s, "            - {}", yaml_str(arg));
        }
        let _ = write!(
            s,
            "          volumeMounts:\n\
             \x20           - name: shared\n\
             \x20             mountPath: {shared}\n\
             \x20     volumes:\n\
             \x20       - name: shared\n\
             \x20         persistentVolumeClaim:\n\
             \x20           claimName: {K8S_CLAIM}\n",
            shared = yaml_str(&self.shared_dir),
        );
        s
    }
}

/// `text` for a comment line: a control character (a newline in a path
/// would end the comment and start a command) is shown as `?`.
fn comment(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

/// `dir/name`, with one `/` between.
fn join(dir: &str, name: &str) -> String {
    format!("{}/{name}", dir.trim_end_matches('/'))
}

/// A YAML scalar that reads back as `text`: a JSON string (YAML 1.2 reads
/// JSON's double-quoted strings as they are).
fn yaml_str(text: &str) -> String {
    serde_json::to_string(text).expect("a string always serialises")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_words_survive_quotes_and_spaces() {
        assert_eq!(shell_quote("/a/b.toml"), "/a/b.toml");
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote(""), "''");
        assert_eq!(shell_quote("$HOME"), "'$HOME'");
        assert_eq!(shell_quote("美吉鑫.toml"), "'美吉鑫.toml'");
    }

    #[test]
    fn a_newline_in_a_path_stays_in_its_comment() {
        let job = Emit {
            bin: "/bin/swapsim".into(),
            shared_dir: "/shared/x\nrm -rf /".into(),
            command: vec!["run".into(), "/a.toml".into()],
            shards: 2,
            max_parallel: None,
            name: "swapsim-a".into(),
            image: "swapsim:0".into(),
            retries: 2,
        };
        // In shell words the newline stays inside single quotes; in a
        // comment it would end the comment.
        let script = job.slurm();
        assert!(
            script.contains("directory at /shared/x?rm -rf /\n"),
            "{script}"
        );
        // YAML strings escape it, comments show it as `?`.
        for text in [job.k8s_job(), job.k8s_merge_job()] {
            assert!(!text.lines().any(|l| l.starts_with("rm -rf")), "{text}");
        }
    }

    #[test]
    fn job_names_are_dns_labels() {
        assert_eq!(job_name("bishan-pilot"), "swapsim-bishan-pilot");
        assert_eq!(
            job_name("Bishan District (v2)"),
            "swapsim-bishan-district-v2"
        );
        assert_eq!(job_name("美吉鑫"), "swapsim");
    }
}
