/** `npm run build:images`: builds what is missing, then prints the sizes and where each image is. */
import { BUILDER_IMAGE } from "./debian.js";
import { buildImages, formatSizes } from "./build.js";

const result = await buildImages();
console.log(formatSizes(result));
for (const i of Object.values(result.images)) console.log(`  ${i.ref}\n    ${i.oci}`);
console.log(`  builder: ${BUILDER_IMAGE}`);
