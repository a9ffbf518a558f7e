export { compareCsv, CSV_COLUMNS } from './csv.ts';
export { compareHtml } from './html.ts';
export { compareJson, compareJsonDoc, COMPARE_SCHEMA, type ReportMeta } from './json.ts';
export { timingChartSvg } from './svg-chart.ts';
