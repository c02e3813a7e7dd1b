use dockopt_rules::{Context, Findings, ALL};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let reps: usize = std::env::var("REPS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    let texts: Vec<String> = args
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    let options = BTreeMap::new();
    let mut times: BTreeMap<&str, f64> = BTreeMap::new();
    let mut phase = |name: &'static str, t: Instant, times: &mut BTreeMap<&str, f64>| {
        *times.entry(name).or_default() += t.elapsed().as_secs_f64();
    };
    for _ in 0..reps {
        for text in &texts {
            let t = Instant::now();
            let parse = dockopt_syntax::parse(text);
            phase("0 parse", t, &mut times);
            let t = Instant::now();
            let model = dockopt_model::Model::new(parse.dockerfile());
            phase("0 model", t, &mut times);
            let unknown = Vec::new();
            let ctx = Context::new(Path::new("Dockerfile"), &parse, &model, &options, &unknown);
            let t = Instant::now();
            for (id, _) in ctx.instructions() {
                let _ = ctx.scripts(id);
            }
            phase("0 scripts", t, &mut times);
            for rule in ALL {
                let meta = rule.meta();
                let t = Instant::now();
                let mut out = Findings::new(meta);
                rule.check(&ctx, &mut out);
                *times.entry(meta.name).or_default() += t.elapsed().as_secs_f64();
            }
        }
    }
    let mut v: Vec<_> = times.into_iter().collect();
    v.sort_by(|a, b| b.1.partial_cmp(&a.1).unwrap());
    let total: f64 = v.iter().map(|x| x.1).sum();
    println!("total per rep {:.3} ms", total * 1000.0 / reps as f64);
    for (n, t) in v.iter().take(25) {
        println!("{:8.3} ms  {}", t * 1000.0 / reps as f64, n);
    }
}
