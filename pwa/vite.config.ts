/** Build: the app shell plus a service worker (src/sw.ts) emitted as /sw.js with scope /. */
import { defineConfig } from "vitest/config";
import preact from "@preact/preset-vite";
import { VitePWA } from "vite-plugin-pwa";
import { readFileSync } from "node:fs";

const { version } = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8")) as { version: string };

export default defineConfig({
  define: { __APP_VERSION__: JSON.stringify(version) },
  plugins: [
    preact(),
    VitePWA({
      strategies: "injectManifest",
      srcDir: "src",
      filename: "sw.ts",
      injectRegister: false,
      registerType: "prompt",
      includeManifestIcons: false,
      scope: "/",
      base: "/",
      manifest: {
        name: "Feltlogg",
        short_name: "Feltlogg",
        description: "Feltlogg for jobbspesialister: logg arbeidsgiverkontakter og møter, også uten nett.",
        lang: "nb",
        start_url: "/#/",
        scope: "/",
        display: "standalone",
        orientation: "portrait",
        background_color: "#ffffff",
        theme_color: "#0b5d57",
        icons: [
          { src: "/icons/icon-192.png", sizes: "192x192", type: "image/png", purpose: "any" },
          { src: "/icons/icon-512.png", sizes: "512x512", type: "image/png", purpose: "any" },
          { src: "/icons/maskable-192.png", sizes: "192x192", type: "image/png", purpose: "maskable" },
          { src: "/icons/maskable-512.png", sizes: "512x512", type: "image/png", purpose: "maskable" },
        ],
      },
      injectManifest: {
        globPatterns: ["**/*.{js,css,html,png,svg}"],
      },
      devOptions: { enabled: false, type: "module" },
    }),
  ],
  server: {
    proxy: { "/api": "http://127.0.0.1:5055", "/healthz": "http://127.0.0.1:5055" },
  },
  build: { outDir: "dist", emptyOutDir: true },
  test: {
    environment: "node",
    include: ["tests/**/*.test.ts"],
    setupFiles: ["tests/setup.ts"],
  },
});
