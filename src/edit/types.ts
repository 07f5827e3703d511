/** Values mcpwire writes into client config files. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** Layout facts of a document, detected once and used for every inserted byte. */
export interface DocStyle {
  eol: '\n' | '\r\n';
  /** One level of indentation as found in the file: '\t', '  ', '    ', … */
  indent: string;
  bom: boolean;
}
