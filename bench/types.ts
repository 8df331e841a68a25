// What a benchmark reports: a figure, measured next to its baseline in the same run.
export interface BenchFigure {
  figure: string;
  value: number;
  unit: string;
  baseline?: string;
  baselineValue?: number;
  /** e.g. ">= 25000" or "< 5 s": printed, not asserted. */
  target?: string;
  notes?: string;
}

export interface Bench {
  name: string;
  run(): Promise<BenchFigure[]>;
}
