// A report as data: bilingual headings, facts and tables, so that Markdown,
// CSV and HTML are three renderings of the same document (what a reader
// hands on is the same list whatever the format).

export interface Bilingual {
  ja: string;
  en: string;
}

/** "ルール名 / Rule" */
export const both = (b: Bilingual): string => (b.ja === b.en ? b.ja : `${b.ja} / ${b.en}`);

export const bi = (ja: string, en: string): Bilingual => ({ ja, en });

export interface Column {
  title: Bilingual;
  /** how a flat export (CSV) places the column; "detail" columns are joined into one cell */
  role?: "name" | "expires" | "status" | "note" | "detail";
}

export interface Row {
  cells: string[];
  /** an expired item: kept in the list, marked, not rendered to the devices */
  expired?: boolean;
}

export interface Table {
  /** a change kind, or another stable id of the table */
  id: string;
  title: Bilingual;
  columns: Column[];
  rows: Row[];
  /** shown instead of an empty table */
  empty: Bilingual;
}

export interface Section {
  /** stable anchor (an org id) */
  id: string;
  heading: string;
  facts: Array<{ label: Bilingual; value: string }>;
  tables: Table[];
  /** printing starts the section on a new page (one organization per page) */
  pageBreak?: boolean;
}

export interface ReportDocument {
  title: Bilingual;
  meta: Array<{ label: Bilingual; value: string }>;
  sections: Section[];
  notes: string[];
}

export const NONE = bi("なし", "none");
