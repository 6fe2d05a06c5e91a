// A preset's YAML, imported `with { type: "text" }` (src/presets/index.ts): its text.
declare module "*.yaml" {
  const text: string;
  export default text;
}
