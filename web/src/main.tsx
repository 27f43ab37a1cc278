import { startReactDsfr } from '@codegouvfr/react-dsfr/spa';
import { createRoot } from 'react-dom/client';

startReactDsfr({ defaultColorScheme: 'light' });

createRoot(document.getElementById('root')!).render(<p>Console CPx</p>);
