// Chart.js, registered with only the parts the progress screen uses (tree-shaken, loaded lazily).
// Chart.js draws on <canvas> and needs neither eval nor inline scripts or style sheets, so it runs
// under the app's CSP (script-src 'self').

import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Filler,
  Legend,
  LineController,
  LineElement,
  LinearScale,
  PointElement,
  Tooltip,
} from "chart.js";

Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  Filler,
  Legend,
  LineController,
  LineElement,
  LinearScale,
  PointElement,
  Tooltip,
);

export { Chart };
