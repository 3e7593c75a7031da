import type { Component, Estimate } from '../protocol';
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from 'chart.js';
import type { ChartConfiguration } from 'chart.js';
import { usd } from '../shared/format';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

/** The components in the order of the table's columns, each with the theme's chart colour that draws it. */
export const components: { name: Component; colour: string }[] = [
  { name: 'llm', colour: '--vscode-charts-blue' },
  { name: 'vector', colour: '--vscode-charts-green' },
  { name: 'compute', colour: '--vscode-charts-orange' },
  { name: 'cache', colour: '--vscode-charts-purple' },
  { name: 'sql', colour: '--vscode-charts-yellow' },
];

let chart: Chart<'bar'> | undefined;
let drawn: { canvas: HTMLCanvasElement; estimate: Estimate } | undefined;
let themeObserver: MutationObserver | undefined;

function themeColour(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

function reducedMotion(): boolean {
  return typeof matchMedia === 'function' && matchMedia('(prefers-reduced-motion: reduce)').matches;
}

function chartConfig(estimate: Estimate): ChartConfiguration<'bar'> {
  const text = themeColour('--vscode-foreground', '#888');
  const grid = themeColour('--vscode-editorWidget-border', themeColour('--vscode-panel-border', 'rgba(128, 128, 128, 0.35)'));
  const font = { family: themeColour('--vscode-font-family', 'sans-serif') };
  return {
    type: 'bar',
    data: {
      labels: estimate.agents.map((a) => a.agent),
      datasets: components.map(({ name, colour }) => ({
        label: name,
        data: estimate.agents.map((a) => a.breakdown[name]),
        backgroundColor: themeColour(colour, text),
        borderWidth: 0,
      })),
    },
    options: {
      indexAxis: 'y',
      responsive: true,
      maintainAspectRatio: false,
      animation: reducedMotion() ? false : { duration: 300 },
      color: text,
      font,
      scales: {
        x: {
          stacked: true,
          ticks: { color: text, font, callback: (value) => (Number(value) === 0 ? '$0' : usd(Number(value))) },
          grid: { color: grid },
          border: { color: grid },
        },
        y: { stacked: true, ticks: { color: text, font }, grid: { display: false }, border: { color: grid } },
      },
      plugins: {
        legend: { position: 'top', labels: { color: text, font, boxWidth: 12 } },
        tooltip: { callbacks: { label: (item) => `${item.dataset.label}: ${usd(Number(item.raw))}` } },
      },
    },
  };
}

/** VS Code swaps the theme's variables and the body's class together; the chart takes the new colours then. */
function followTheme(): void {
  if (themeObserver || typeof MutationObserver !== 'function') return;
  themeObserver = new MutationObserver(() => drawn && drawCostChart(drawn.canvas, drawn.estimate));
  themeObserver.observe(document.body, { attributes: true, attributeFilter: ['class'] });
}

/**
 * Draws the estimate as one stacked bar per agent, by component, replacing the chart drawn before. Does nothing
 * where the canvas has no 2D context (a test page): the table next to it carries the same numbers.
 */
export function drawCostChart(canvas: HTMLCanvasElement, estimate: Estimate): void {
  clearCostChart();
  if (!canvas.getContext('2d')) return;
  chart = new Chart(canvas, chartConfig(estimate));
  drawn = { canvas, estimate };
  followTheme();
}

/** Removes the chart (the view shows an empty state instead). */
export function clearCostChart(): void {
  chart?.destroy();
  chart = undefined;
  drawn = undefined;
}

/** A sentence for screen readers: what the chart shows and its largest bar. */
export function chartSummary(estimate: Estimate): string {
  const top = [...estimate.agents].sort((a, b) => b.costPerRunUsd - a.costPerRunUsd)[0];
  const largest = top ? ` The most expensive agent is ${top.agent} at ${usd(top.costPerRunUsd)} per run.` : '';
  return `Stacked bar chart of the cost per run of ${estimate.agents.length} agents, by component (${components.map((c) => c.name).join(', ')}).${largest} The table below has every number.`;
}
