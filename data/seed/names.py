"""Vocabulary for plausible Chilean names and addresses (no real persons)."""

FIRST_NAMES = (
    "María", "José", "Juan", "Ana", "Luis", "Carmen", "Francisco", "Rosa", "Carlos", "Patricia", "Jorge",
    "Claudia", "Pedro", "Verónica", "Manuel", "Marcela", "Sergio", "Paula", "Cristián", "Daniela", "Felipe",
    "Camila", "Rodrigo", "Valentina", "Matías", "Javiera", "Benjamín", "Constanza", "Tomás", "Francisca",
    "Sebastián", "Catalina", "Ignacio", "Fernanda", "Diego", "Josefa", "Vicente", "Antonia", "Héctor", "Gloria",
)
SURNAMES = (
    "González", "Muñoz", "Rojas", "Díaz", "Pérez", "Soto", "Contreras", "Silva", "Martínez", "Sepúlveda",
    "Morales", "Rodríguez", "López", "Fuentes", "Hernández", "Torres", "Araya", "Flores", "Espinoza",
    "Valenzuela", "Castillo", "Tapia", "Reyes", "Gutiérrez", "Castro", "Pizarro", "Álvarez", "Vásquez",
    "Sánchez", "Fernández", "Ramírez", "Carrasco", "Gómez", "Cortés", "Herrera", "Núñez", "Jara", "Vergara",
    "Rivera", "Figueroa", "Riquelme", "Bravo", "Vera", "Molina", "Vega", "Sandoval", "Campos", "Orellana",
)
STREETS = (
    "Av. O'Higgins", "Calle Prat", "Pasaje Los Aromos", "Av. Bernardo O'Higgins", "Calle Freire", "Calle Maipú",
    "Av. Los Carrera", "Calle Yungay", "Pasaje Las Acacias", "Calle Chacabuco", "Av. Balmaceda",
    "Calle San Martín", "Calle Esmeralda", "Camino Real", "Calle Blanco Encalada", "Av. Portales",
    "Calle Serrano", "Pasaje El Roble", "Calle Lautaro", "Av. España", "Calle Colón", "Calle Rancagua",
    "Calle Independencia", "Pasaje Los Boldos", "Av. Libertad", "Calle Baquedano", "Camino a Lo Rojas",
    "Calle Carrera Pinto", "Pasaje Los Quillayes", "Calle Sargento Aldea",
)
SUBSTATION_NAMES = (
    "Centro", "Norte", "Sur", "Oriente", "Poniente", "Estación", "El Bajo", "La Palma", "Los Álamos",
    "San Pedro", "Las Viñas", "El Molino", "Santa Rosa", "La Vega", "El Peñón", "Bellavista",
)
FEEDER_NAMES = (
    "Ruta 5", "Costanera", "Los Tilos", "El Llano", "La Capilla", "San Isidro", "El Retiro", "Las Palmas",
    "Mirador", "La Greda", "Puente Alto", "El Olivar", "Lo Gamboa", "Villa Hermosa", "Las Rosas", "El Boldo",
    "Rinconada", "La Quebrada", "Santa Ana", "El Sauce",
)
