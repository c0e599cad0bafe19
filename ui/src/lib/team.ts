// Pure helpers of the lead's view (组长看板): the matrix columns, sorting its rows, and dates.
// Everything measured (means, medians, standings against the team, findings) comes from core;
// this only picks values out of the cells, orders the rows and formats.

import type { AgentRow } from "./bindings/AgentRow";
import type { Cell } from "./bindings/Cell";
import type { Standing } from "./bindings/Standing";

/** A row of the matrix: an agent, or the team average (same shape). */
export type MatrixRow = { overall: Cell; cells: Array<Cell | null> };

/** A column of the matrix: which cell, which value, which standing, how it is written. */
export type Column = {
  key: string;
  label: string;
  /** Category columns are scores per category; the others are the overall cell. */
  category: boolean;
  cell: (r: MatrixRow) => Cell | null;
  value: (c: Cell) => number | null;
  standing: (c: Cell) => Standing;
  format: (v: number) => string;
};

/** A whole number ("79"). */
export const whole = (v: number): string => String(Math.round(v));
/** One decimal ("58.5"). */
export const oneDecimal = (v: number): string => v.toFixed(1);

/** The matrix columns: 得分 / 首次响应 / 字/分 / 近7天 / 近30天 overall, then one score per category. */
export function columns(
  categories: string[],
  labels: { score: string; response: string; cpm: string; d7: string; d30: string },
): Column[] {
  const overall = (r: MatrixRow) => r.overall;
  const fixed: Column[] = [
    { key: "score", label: labels.score, category: false, cell: overall, value: (c) => c.score, standing: (c) => c.score_vs, format: whole },
    {
      key: "response",
      label: labels.response,
      category: false,
      cell: overall,
      value: (c) => c.first_response_s,
      standing: (c) => c.response_vs,
      format: oneDecimal,
    },
    { key: "cpm", label: labels.cpm, category: false, cell: overall, value: (c) => c.cpm, standing: (c) => c.cpm_vs, format: whole },
    { key: "d7", label: labels.d7, category: false, cell: overall, value: (c) => c.attempts_7d, standing: () => "none", format: whole },
    { key: "d30", label: labels.d30, category: false, cell: overall, value: (c) => c.attempts_30d, standing: (c) => c.practice_vs, format: whole },
  ];
  const perCategory: Column[] = categories.map((name, i) => ({
    key: `cat:${name}`,
    label: name,
    category: true,
    cell: (r: MatrixRow) => r.cells[i] ?? null,
    value: (c: Cell) => c.score,
    standing: (c: Cell) => c.score_vs,
    format: whole,
  }));
  return [...fixed, ...perCategory];
}

export type Sort = { key: string; dir: 1 | -1 };

/** The next sort after a click on `key`: a new column sorts (names A→Z, numbers high→low), the same one reverses. */
export function nextSort(current: Sort | null, key: string): Sort {
  if (current?.key === key) return { key, dir: current.dir === 1 ? -1 : 1 };
  return { key, dir: key === "name" ? 1 : -1 };
}

/** The agents in the order of `sort` (as core sent them without one); empty cells go last either way. */
export function sortRows(rows: AgentRow[], sort: Sort | null, cols: Column[]): AgentRow[] {
  if (!sort) return rows;
  if (sort.key === "name") {
    return [...rows].sort((a, b) => sort.dir * a.name.localeCompare(b.name, "zh-CN"));
  }
  const col = cols.find((c) => c.key === sort.key);
  if (!col) return rows;
  const value = (r: AgentRow): number | null => {
    const c = col.cell(r);
    return c ? col.value(c) : null;
  };
  return [...rows].sort((a, b) => {
    const x = value(a);
    const y = value(b);
    if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
    return sort.dir * (x - y);
  });
}
