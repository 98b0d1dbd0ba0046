//! Horizontal bar charts drawn as plain SVG: one row per label, one bar per series (e.g.
//! median and p90), the value written at the end of each bar so it reads without a scale.

use leptos::prelude::*;

/// Drawing units of the SVG's viewBox; it scales to the width of its container.
const WIDTH: f64 = 460.0;
const LABEL_W: f64 = 130.0;
const VALUE_W: f64 = 64.0;
const BAR_H: f64 = 16.0;
const BAR_GAP: f64 = 3.0;
const ROW_GAP: f64 = 12.0;
const LABEL_CHARS: usize = 20;

/// One labelled row: a value per series, with the text to write for it.
#[derive(Debug, Clone, PartialEq)]
pub struct BarRow {
    pub label: String,
    pub values: Vec<(f64, String)>,
}

/// A coordinate for an SVG attribute.
fn n(v: f64) -> String {
    format!("{v:.1}")
}

fn short(label: &str) -> String {
    if label.chars().count() <= LABEL_CHARS {
        label.to_owned()
    } else {
        let cut: String = label.chars().take(LABEL_CHARS - 1).collect();
        format!("{cut}…")
    }
}

/// "Billing 12, Sales 4" — what a screen reader hears instead of the picture.
fn summary(rows: &[BarRow], series: &[&str]) -> String {
    rows.iter()
        .map(|r| {
            let values: Vec<String> = r
                .values
                .iter()
                .zip(series.iter().chain(std::iter::repeat(&"")))
                .map(|((_, text), name)| {
                    if name.is_empty() {
                        text.clone()
                    } else {
                        format!("{name} {text}")
                    }
                })
                .collect();
            format!("{}: {}", r.label, values.join(", "))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[component]
pub fn BarChart(
    title: &'static str,
    testid: &'static str,
    /// Names of the series, in the order of each row's values (shown as a legend when > 1).
    series: &'static [&'static str],
    #[prop(into)] rows: Signal<Vec<BarRow>>,
) -> impl IntoView {
    let chart = move || {
        let rows = rows.get();
        if rows.is_empty() {
            return view! { <p class="muted chart-empty">"No data yet."</p> }.into_any();
        }
        chart_svg(title, series, rows).into_any()
    };
    view! {
        <figure class="chart-card card" data-testid=testid>
            <figcaption>
                <h2>{title}</h2>
                {(series.len() > 1).then(|| view! { <ChartLegend series /> })}
            </figcaption>
            {chart}
        </figure>
    }
}

/// The legend of a chart with several series: one swatch and name per series.
#[component]
fn ChartLegend(series: &'static [&'static str]) -> impl IntoView {
    view! {
        <ul class="legend">
            {series
                .iter()
                .enumerate()
                .map(|(s, name)| {
                    view! {
                        <li>
                            <span class=format!("swatch bar-s{s}") aria-hidden="true"></span>
                            {*name}
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

/// The SVG picture of a non-empty chart: an axis, then one group of bars per row.
fn chart_svg(title: &'static str, series: &'static [&'static str], rows: Vec<BarRow>) -> impl IntoView {
    let per_row = series.len().max(1) as f64;
    let row_h = per_row * (BAR_H + BAR_GAP) - BAR_GAP + ROW_GAP;
    let height = rows.len() as f64 * row_h;
    let max = rows
        .iter()
        .flat_map(|r| r.values.iter().map(|v| v.0))
        .fold(0.0_f64, f64::max)
        .max(1.0);
    let scale = (WIDTH - LABEL_W - VALUE_W) / max;
    let label = format!("{title}. {}", summary(&rows, series));
    let bars = rows
        .into_iter()
        .enumerate()
        .map(|(i, row)| bar_group(row, i as f64 * row_h, row_h, scale))
        .collect_view();
    view! {
        <svg
            class="chart"
            viewBox=format!("0 0 {WIDTH} {height}")
            role="img"
            aria-label=label
            preserveAspectRatio="xMinYMin meet"
        >
            <line class="chart-axis" x1=n(LABEL_W) y1="0" x2=n(LABEL_W) y2=n(height) />
            {bars}
        </svg>
    }
}

/// One row of the chart at `top`: its (shortened) label, then a bar and value per series.
fn bar_group(row: BarRow, top: f64, row_h: f64, scale: f64) -> impl IntoView {
    let label_y = top + (row_h - ROW_GAP) / 2.0 + 4.0;
    let values = row
        .values
        .into_iter()
        .enumerate()
        .map(|(s, (value, text))| {
            let y = top + s as f64 * (BAR_H + BAR_GAP);
            let w = (value * scale).max(if value > 0.0 { 2.0 } else { 0.0 });
            view! {
                <rect
                    class=format!("bar bar-s{s}")
                    x=n(LABEL_W)
                    y=n(y)
                    width=n(w)
                    height=n(BAR_H)
                    rx="3"
                />
                <text class="chart-value" x=n(LABEL_W + w + 6.0) y=n(y + BAR_H - 4.0)>
                    {text}
                </text>
            }
        })
        .collect_view();
    view! {
        <g>
            <text class="chart-label" x="0" y=n(label_y)>
                {short(&row.label)}
            </text>
            {values}
        </g>
    }
}
