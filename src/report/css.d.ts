/** The build bundles CSS imported by an extension page's script as its text (scripts/build.ts). */
declare module '*.css' {
  const text: string;
  export default text;
}
