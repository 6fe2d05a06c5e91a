// A preset's YAML, imported `with { type: "text" }` (sources.ts): its text.
declare module "*.yaml" {
  const text: string;
  export default text;
}
