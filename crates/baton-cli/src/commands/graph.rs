//! `baton graph SOURCE [--format mermaid|dot]`: a workflow's control flow as Mermaid
//! (default) or Graphviz text on stdout.
//!
//! The graph comes from [`baton_model::graph`]; this module only draws it. A workflow
//! that does not validate is refused with the diagnostics `validate` prints (on stderr,
//! exit 1), so stdout only ever holds a graph.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use baton_model::graph::{EdgeKind, Graph, GraphNode, NodeKind};
use baton_model::model::WorkflowDocument;

use crate::diagnostics::{self, Style};
use crate::exit::{CliError, Stream};
use crate::output;
use crate::project::{self, Context};

/// `baton graph` arguments.
#[derive(Debug, clap::Args)]
pub struct GraphArgs {
    /// A workflow YAML file, or the id of a workflow installed in this project.
    pub source: String,
    /// The output language.
    #[arg(long, value_enum, default_value = "mermaid")]
    pub format: GraphFormat,
}

/// The languages `baton graph` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GraphFormat {
    /// A Mermaid flowchart (renders in GitHub Markdown and most editors).
    Mermaid,
    /// Graphviz DOT (`baton graph flow.yml --format dot | dot -Tsvg > flow.svg`).
    Dot,
}

/// Draws the graph; exit 1 with the diagnostics of an invalid workflow.
pub fn graph(args: &GraphArgs) -> Result<i32, CliError> {
    let path = locate(&args.source)?;
    let checked = diagnostics::check_file(&path)
        .map_err(|err| CliError::usage(format!("cannot read `{}`: {err}", path.display())))?;
    let shown = Path::new(&args.source);
    let style = Style::stderr();
    let node = match (&checked.node, checked.is_valid()) {
        (Some(node), true) => node,
        _ => {
            let text = diagnostics::render_report(&checked, shown, style);
            return Err(CliError {
                lines: vec![text.trim_end().to_owned()],
                stream: Stream::Stderr,
                code: 1,
            });
        }
    };
    if checked.warnings().next().is_some() {
        // Warnings never block a graph; they go where they cannot spoil it.
        let mut text = String::new();
        for diag in checked.warnings() {
            for line in diagnostics::render(diag, shown, &checked.source, style) {
                text.push_str(&line);
                text.push('\n');
            }
        }
        let _ = std::io::Write::write_all(&mut std::io::stderr().lock(), text.as_bytes());
    }
    let doc = WorkflowDocument::from_node(node).map_err(|err| CliError::user(err, false))?;
    let graph = Graph::of(&doc);
    let text = match args.format {
        GraphFormat::Mermaid => mermaid(&graph),
        GraphFormat::Dot => dot(&graph),
    };
    output::write_stdout(text.as_bytes())?;
    Ok(0)
}

/// The file to draw: `source` itself when it is a file, else the installed workflow
/// `.specify/workflows/<source>/workflow.yml` of the project.
fn locate(source: &str) -> Result<PathBuf, CliError> {
    let ctx = Context::from_process()?;
    let path = ctx.cwd.join(project::expand_tilde(source));
    if path.is_file() {
        return Ok(path);
    }
    let lower = source.to_ascii_lowercase();
    if lower.ends_with(".yml") || lower.ends_with(".yaml") || source.contains('/') {
        return Err(not_found(format!("Workflow file not found: {source}")));
    }
    let root = project::resolve_root(&ctx, true, false)?;
    let installed = root
        .join(".specify/workflows")
        .join(source)
        .join("workflow.yml");
    if installed.is_file() {
        Ok(installed)
    } else {
        Err(not_found(format!("Workflow not found: {source}")))
    }
}

/// An error of this verb: stdout is kept for the graph.
fn not_found(message: String) -> CliError {
    CliError {
        lines: vec![format!("Error: {message}")],
        stream: Stream::Stderr,
        code: 1,
    }
}

/// Where each node and cluster is drawn.
struct Layout {
    /// The nodes of each cluster, in order.
    nodes_in: Vec<Vec<usize>>,
    /// The sub-clusters of each cluster, in order.
    children: Vec<Vec<usize>>,
    /// The nodes outside every cluster.
    top_nodes: Vec<usize>,
    /// The outermost clusters.
    top_clusters: Vec<usize>,
}

fn layout(graph: &Graph) -> Layout {
    let n = graph.clusters.len();
    let mut l = Layout {
        nodes_in: vec![Vec::new(); n],
        children: vec![Vec::new(); n],
        top_nodes: Vec::new(),
        top_clusters: Vec::new(),
    };
    for (i, node) in graph.nodes.iter().enumerate() {
        match node.cluster {
            Some(c) => l.nodes_in[c].push(i),
            None => l.top_nodes.push(i),
        }
    }
    for (i, cluster) in graph.clusters.iter().enumerate() {
        match cluster.parent {
            Some(p) => l.children[p].push(i),
            None => l.top_clusters.push(i),
        }
    }
    l
}

/// The label lines of a node: its title, then its details.
fn label_lines(node: &GraphNode) -> Vec<String> {
    let mut lines = vec![node.title()];
    lines.extend(node.details.iter().cloned());
    lines
}

/// Mermaid text inside `"…"`: quotes and angle brackets as entity codes.
fn mermaid_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '#' => out.push_str("#35;"),
            c => out.push(c),
        }
    }
    out
}

/// A Mermaid flowchart, top to bottom.
pub fn mermaid(graph: &Graph) -> String {
    let mut out = String::new();
    out.push_str("flowchart TD\n");
    let name = graph.workflow_name.replace(['\n', '\r'], " ");
    let _ = writeln!(out, "  %% {name} ({})", graph.workflow_id);
    let Layout {
        nodes_in,
        children,
        top_nodes,
        top_clusters,
    } = layout(graph);
    let node_line = |i: usize| {
        let node = &graph.nodes[i];
        let label = label_lines(node)
            .iter()
            .map(|l| mermaid_text(l))
            .collect::<Vec<_>>()
            .join("<br/>");
        let (open, close) = match node.kind {
            NodeKind::Start | NodeKind::End | NodeKind::Aborted => ("([", "])"),
            NodeKind::Task => ("[", "]"),
            NodeKind::Gate => ("[/", "/]"),
            NodeKind::Branch => ("{", "}"),
            NodeKind::Loop => ("{{", "}}"),
            NodeKind::FanOut => ("[[", "]]"),
            NodeKind::FanIn => ("[\\", "/]"),
        };
        format!("{}{open}\"{label}\"{close}", node.key)
    };
    fn cluster(
        out: &mut String,
        graph: &Graph,
        c: usize,
        depth: usize,
        nodes_in: &[Vec<usize>],
        children: &[Vec<usize>],
        node_line: &dyn Fn(usize) -> String,
    ) {
        let indent = "  ".repeat(depth);
        let _ = writeln!(
            out,
            "{indent}subgraph {}[\"{}\"]",
            graph.clusters[c].key,
            mermaid_text(&graph.clusters[c].label)
        );
        for &i in &nodes_in[c] {
            let _ = writeln!(out, "{indent}  {}", node_line(i));
        }
        for &child in &children[c] {
            cluster(out, graph, child, depth + 1, nodes_in, children, node_line);
        }
        let _ = writeln!(out, "{indent}end");
    }
    for &i in &top_nodes {
        let _ = writeln!(out, "  {}", node_line(i));
    }
    for &c in &top_clusters {
        cluster(&mut out, graph, c, 1, &nodes_in, &children, &node_line);
    }
    for edge in &graph.edges {
        let arrow = match edge.kind {
            EdgeKind::Flow => "-->",
            EdgeKind::Back => "==>",
            EdgeKind::WaitFor => "-.->",
        };
        let from = &graph.nodes[edge.from].key;
        let to = &graph.nodes[edge.to].key;
        match &edge.label {
            Some(label) => {
                let _ = writeln!(out, "  {from} {arrow}|\"{}\"| {to}", mermaid_text(label));
            }
            None => {
                let _ = writeln!(out, "  {from} {arrow} {to}");
            }
        }
    }
    out
}

/// DOT text inside `"…"`.
fn dot_text(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

/// A Graphviz digraph, top to bottom.
pub fn dot(graph: &Graph) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "digraph \"{}\" {{", dot_text(&graph.workflow_id));
    let _ = writeln!(out, "  label=\"{}\";", dot_text(&graph.workflow_name));
    out.push_str("  labelloc=t;\n  rankdir=TB;\n");
    out.push_str("  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n");
    out.push_str("  edge [fontname=\"Helvetica\", fontsize=10];\n");
    let Layout {
        nodes_in,
        children,
        top_nodes,
        top_clusters,
    } = layout(graph);
    let node_line = |i: usize| {
        let node = &graph.nodes[i];
        let label = label_lines(node)
            .iter()
            .map(|l| dot_text(l))
            .collect::<Vec<_>>()
            .join("\\n");
        let shape = match node.kind {
            NodeKind::Start | NodeKind::End => "shape=oval, style=solid",
            NodeKind::Aborted => "shape=oval, style=solid, color=red",
            NodeKind::Task => "shape=box",
            NodeKind::Gate => "shape=parallelogram, style=solid",
            NodeKind::Branch => "shape=diamond, style=solid",
            NodeKind::Loop => "shape=hexagon, style=solid",
            NodeKind::FanOut => "shape=box3d, style=solid",
            NodeKind::FanIn => "shape=invtrapezium, style=solid",
        };
        format!("\"{}\" [label=\"{label}\", {shape}];", node.key)
    };
    fn cluster(
        out: &mut String,
        graph: &Graph,
        c: usize,
        depth: usize,
        nodes_in: &[Vec<usize>],
        children: &[Vec<usize>],
        node_line: &dyn Fn(usize) -> String,
    ) {
        let indent = "  ".repeat(depth);
        let _ = writeln!(
            out,
            "{indent}subgraph \"cluster_{}\" {{",
            graph.clusters[c].key
        );
        let _ = writeln!(
            out,
            "{indent}  label=\"{}\";",
            dot_text(&graph.clusters[c].label)
        );
        let _ = writeln!(out, "{indent}  style=dashed;");
        for &i in &nodes_in[c] {
            let _ = writeln!(out, "{indent}  {}", node_line(i));
        }
        for &child in &children[c] {
            cluster(out, graph, child, depth + 1, nodes_in, children, node_line);
        }
        let _ = writeln!(out, "{indent}}}");
    }
    for &i in &top_nodes {
        let _ = writeln!(out, "  {}", node_line(i));
    }
    for &c in &top_clusters {
        cluster(&mut out, graph, c, 1, &nodes_in, &children, &node_line);
    }
    for edge in &graph.edges {
        let mut attrs = Vec::new();
        if let Some(label) = &edge.label {
            attrs.push(format!("label=\"{}\"", dot_text(label)));
        }
        match edge.kind {
            EdgeKind::Flow => {}
            EdgeKind::Back => attrs.push("style=bold".to_owned()),
            EdgeKind::WaitFor => attrs.push("style=dashed, arrowhead=empty".to_owned()),
        }
        let from = &graph.nodes[edge.from].key;
        let to = &graph.nodes[edge.to].key;
        if attrs.is_empty() {
            let _ = writeln!(out, "  \"{from}\" -> \"{to}\";");
        } else {
            let _ = writeln!(out, "  \"{from}\" -> \"{to}\" [{}];", attrs.join(", "));
        }
    }
    out.push_str("}\n");
    out
}
